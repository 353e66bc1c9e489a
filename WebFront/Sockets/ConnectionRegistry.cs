using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// The open sockets of this WebFront: counted against <see cref="ChatSocketOptions.MaxConnections"/>, enumerable
/// for lease renewal, and drained on shutdown.
/// </summary>
internal sealed class ConnectionRegistry(IOptions<ChatSocketOptions> options)
{
    private readonly int _max = options.Value.MaxConnections;
    private readonly ConcurrentDictionary<ChatConnection, Task> _connections = new();
    private int _open;
    private int _draining;

    public int OpenConnections => Volatile.Read(ref _open);

    public bool IsDraining => Volatile.Read(ref _draining) == 1;

    public ICollection<ChatConnection> Connections => _connections.Keys;

    /// <summary>Reserves a slot for a new socket; false when full or shutting down.</summary>
    public bool TryOpen()
    {
        if (IsDraining)
        {
            return false;
        }

        if (Interlocked.Increment(ref _open) <= _max)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Track(ChatConnection connection, Task running) => _connections[connection] = running;

    public void Close(ChatConnection? connection)
    {
        if (connection is not null)
        {
            _connections.TryRemove(connection, out _);
        }

        Interlocked.Decrement(ref _open);
    }

    /// <summary>Refuses new sockets and tells every open one that the server is going away.</summary>
    public void BeginDraining()
    {
        Interlocked.Exchange(ref _draining, 1);
        foreach (var connection in _connections.Keys)
        {
            connection.GoAway();
        }
    }

    /// <summary>Waits until every socket has said goodbye (left its room, unsubscribed, closed).</summary>
    public Task WhenAllClosedAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_connections.Values).WaitAsync(cancellationToken);

    public static string NewConnectionId() => Guid.NewGuid().ToString("N");
}
