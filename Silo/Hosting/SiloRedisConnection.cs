using Orleans.Runtime;
using StackExchange.Redis;

namespace OrleansChat.Hosting;

/// <summary>
/// The silo's one Redis connection, shared by everything of the silo that talks to Redis: membership, the two grain
/// storages (room records, stream pub-sub state) and room history. Each of those would otherwise open its own
/// multiplexer: four per silo, each with its own sockets, heartbeat timer and reconnect loop (docs/measurements.md).
/// <para>
/// It is opened asynchronously while the silo starts, before any grain can activate. Opened synchronously inside the
/// first room's activation instead, it blocked an Orleans scheduler thread for up to the connect timeout: in a
/// benchmark on 2 busy cores the first room took 4.6 s to activate and the whole silo's timers, membership probes and
/// stream reads stalled with it. Whoever asks first (the membership table, usually) starts the one connect; the
/// others wait for it.
/// </para>
/// </summary>
public sealed class SiloRedisConnection(ConfigurationOptions options) : ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _connect = new(
        async () => await ConnectionMultiplexer.ConnectAsync(options.Clone()).ConfigureAwait(false),
        LazyThreadSafetyMode.ExecutionAndPublication);

    private int _disposed;

    /// <summary>
    /// The connection. Opened at silo start, so this does not wait then; asked for before that, it waits for the
    /// connect. It reconnects by itself while Redis restarts (AbortOnConnectFail is off: <see cref="RedisConfiguration"/>).
    /// </summary>
    public IConnectionMultiplexer Connection => ConnectAsync().GetAwaiter().GetResult();

    /// <summary>Whether the connect has finished (at silo start, or by a use before it).</summary>
    public bool IsOpened => _connect.IsValueCreated && _connect.Value.IsCompletedSuccessfully;

    /// <summary>The connection, connecting on first use; every caller gets the same one.</summary>
    public Task<IConnectionMultiplexer> ConnectAsync()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _connect.Value;
    }

    /// <summary>
    /// For the Orleans Redis providers' <c>CreateMultiplexer</c>: this connection, marked shared, so a provider that
    /// stops does not dispose it under the others. It is disposed with the silo's services.
    /// </summary>
    public async Task<(IConnectionMultiplexer Multiplexer, bool IsShared)> SharedAsync() => (await ConnectAsync().ConfigureAwait(false), true);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloRedisConnection), ServiceLifecycleStage.RuntimeInitialize, cancellationToken => ConnectAsync().WaitAsync(cancellationToken));

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || !_connect.IsValueCreated)
        {
            return;
        }

        IConnectionMultiplexer connection;
        try
        {
            connection = await _connect.Value.ConfigureAwait(false);
        }
        catch (Exception)
        {
            return; // the connect itself failed: nothing was opened, so there is nothing to close
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }
}
