using System.Diagnostics;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace OrleansChat.Bench;

/// <summary>
/// The SignalR + Redis reference peer's hub (<c>http://host:port/chat</c>, JSON hub protocol): <c>Join(room, name)</c>
/// awaited, <c>Chunk(text, seq)</c> and <c>Commit(text)</c> sent without waiting for a result (like a WebSocket frame),
/// handlers <c>chunk(from, text, seq)</c> and <c>commit(from, text, id)</c> for the other members' events. It connects
/// straight over WebSockets (no negotiate round trip) through the run's shared HTTP handler.
/// </summary>
public sealed class SignalRTransport(IChatEvents events) : IChatTransport
{
    private HubConnection? _connection;

    public bool EchoesToSender => false;

    public bool IsOpen => _connection?.State == HubConnectionState.Connected;

    public async Task<string> ConnectAsync(Uri uri, string room, string name, HttpMessageInvoker invoker, CancellationToken cancellationToken)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(uri, HttpTransportType.WebSockets, options =>
            {
                options.SkipNegotiation = true;
                options.WebSocketFactory = async (context, token) =>
                {
                    var socket = new ClientWebSocket();
                    socket.Options.KeepAliveInterval = TimeSpan.Zero; // the hub protocol pings
                    await socket.ConnectAsync(context.Uri, invoker, token);
                    return socket;
                };
            })
            .Build();
        connection.On<string, string, long>("chunk", (from, _, seq) => events.OnChunk(from, seq, 0, Stopwatch.GetTimestamp()));
        connection.On<string, string, string>("commit", (_, text, _) =>
        {
            var arrivedAt = Stopwatch.GetTimestamp();
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            events.OnCommit(space > 0 ? text.AsSpan(0, space) : [], 0, arrivedAt);
        });
        connection.Closed += ex =>
        {
            if (!ReferenceEquals(_connection, connection))
            {
                // A connect attempt that failed after the hub's handshake: its retry reports for itself.
            }
            else if (ex is null)
            {
                events.OnClosed("signalr_closed", null);
            }
            else
            {
                events.OnFailed(ex);
            }

            return Task.CompletedTask;
        };

        try
        {
            await connection.StartAsync(cancellationToken);
            await connection.InvokeAsync<string>("Join", room, name, cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        _connection = connection;
        return name;
    }

    public Task SendChunkAsync(string text, long seq, CancellationToken cancellationToken) =>
        _connection!.SendAsync("Chunk", text, seq, cancellationToken);

    public Task SendCommitAsync(string text, string id, CancellationToken cancellationToken) =>
        _connection!.SendAsync("Commit", id + " " + text, cancellationToken);

    public async Task CloseAsync(TimeSpan timeout)
    {
        if (_connection is not { } connection)
        {
            return;
        }

        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await connection.StopAsync(cts.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or WebSocketException)
        {
            // DisposeAsync below tears it down anyway.
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }
}
