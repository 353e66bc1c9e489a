using Orleans.Runtime;
using StackExchange.Redis;

namespace OrleansChat.Hosting;

/// <summary>
/// The silo's Redis connection for room history, opened asynchronously while the silo starts, before any grain can
/// activate. Resolved lazily instead (a synchronous connect inside the first room's activation), it blocked an Orleans
/// scheduler thread for up to the connect timeout: in a benchmark on 2 busy cores the first room took 4.6 s to
/// activate and the whole silo's timers, membership probes and stream reads stalled with it.
/// </summary>
public sealed class RedisHistoryConnection(ConfigurationOptions options) : ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private IConnectionMultiplexer? _connection;

    /// <summary>The connection; opened at silo start (or, used before that, now). It reconnects by itself while Redis restarts.</summary>
    public IConnectionMultiplexer Connection
    {
        get
        {
            if (_connection is { } connection)
            {
                return connection;
            }

            lock (_gate)
            {
                return _connection ??= ConnectionMultiplexer.Connect(options.Clone());
            }
        }
    }

    /// <summary>Whether the connection was opened (at silo start, or by a use before it).</summary>
    public bool IsOpened => _connection is not null;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RedisHistoryConnection), ServiceLifecycleStage.RuntimeInitialize, OpenAsync);

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            return;
        }

        // AbortOnConnectFail is off (RedisConfiguration): with Redis down this returns after the connect timeout and the
        // connection keeps trying in the background, as before.
        var connection = await ConnectionMultiplexer.ConnectAsync(options.Clone()).WaitAsync(cancellationToken);
        lock (_gate)
        {
            if (_connection is null)
            {
                _connection = connection;
                return;
            }
        }

        await connection.DisposeAsync(); // someone connected meanwhile
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            await connection.DisposeAsync();
        }
    }
}
