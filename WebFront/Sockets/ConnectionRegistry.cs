using System.Collections.Concurrent;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OrleansChat.WebFront.Sockets;

/// <summary>What <see cref="ConnectionRegistry.TryOpen"/> decided about a new socket.</summary>
internal enum Admission
{
    Admitted,
    ServerFull,
    AddressFull,
    Draining,
}

/// <summary>
/// The open sockets of this WebFront: counted against <see cref="ChatSocketOptions.MaxConnections"/> and, per client
/// address, <see cref="ChatSocketOptions.MaxConnectionsPerAddress"/> (a concurrency limiter partitioned by address);
/// enumerable for lease renewal, and drained on shutdown.
/// </summary>
internal sealed class ConnectionRegistry : IDisposable
{
    private readonly int _max;
    private readonly PartitionedRateLimiter<IPAddress?> _perAddress;
    private readonly ConcurrentDictionary<ChatConnection, Task> _connections = new();
    private int _open;
    private int _draining;

    public ConnectionRegistry(IOptions<ChatSocketOptions> options)
    {
        _max = options.Value.MaxConnections;
        var perAddress = options.Value.MaxConnectionsPerAddress;
        _perAddress = PartitionedRateLimiter.Create<IPAddress?, IPAddress>(address =>
            perAddress == 0 || address is null
                ? RateLimitPartition.GetNoLimiter(IPAddress.None)
                : RateLimitPartition.GetConcurrencyLimiter(address, _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = perAddress,
                    QueueLimit = 0,
                }));
    }

    public int OpenConnections => Volatile.Read(ref _open);

    public bool IsDraining => Volatile.Read(ref _draining) == 1;

    public ICollection<ChatConnection> Connections => _connections.Keys;

    /// <summary>
    /// Reserves a slot for a new socket from <paramref name="address"/> (a <see cref="ClientAddress.Key"/>); on
    /// <see cref="Admission.Admitted"/>, <paramref name="slot"/> holds the address's share until it is disposed.
    /// </summary>
    public Admission TryOpen(IPAddress? address, out IDisposable? slot)
    {
        slot = null;
        if (IsDraining)
        {
            return Admission.Draining;
        }

        var lease = _perAddress.AttemptAcquire(address);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            return Admission.AddressFull;
        }

        if (Interlocked.Increment(ref _open) > _max)
        {
            Interlocked.Decrement(ref _open);
            lease.Dispose();
            return Admission.ServerFull;
        }

        slot = lease;
        return Admission.Admitted;
    }

    public void Track(ChatConnection connection, Task running) => _connections[connection] = running;

    /// <summary>Gives back what <see cref="TryOpen"/> reserved.</summary>
    public void Close(ChatConnection? connection, IDisposable slot)
    {
        if (connection is not null)
        {
            _connections.TryRemove(connection, out _);
        }

        slot.Dispose();
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

    public void Dispose() => _perAddress.Dispose();

    public static string NewConnectionId() => Guid.NewGuid().ToString("N");
}
