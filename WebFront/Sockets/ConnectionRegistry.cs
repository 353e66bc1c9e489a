using System.Collections.Concurrent;
using System.Net;
using System.Runtime.InteropServices;
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
/// address, <see cref="ChatSocketOptions.MaxConnectionsPerAddress"/> (a count per address, kept only while the address
/// has sockets open; no timer, unlike a partitioned rate limiter, whose clock ticks ten times a second even when idle);
/// enumerable for lease renewal, and drained on shutdown.
/// </summary>
internal sealed class ConnectionRegistry
{
    private readonly int _max;
    private readonly int _maxPerAddress;
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly ConcurrentDictionary<ChatConnection, Task> _connections = new();
    private int _open;
    private int _draining;

    public ConnectionRegistry(IOptions<ChatSocketOptions> options)
    {
        _max = options.Value.MaxConnections;
        _maxPerAddress = options.Value.MaxConnectionsPerAddress;
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

        var share = TryTakeShare(address);
        if (share is null)
        {
            return Admission.AddressFull;
        }

        if (Interlocked.Increment(ref _open) > _max)
        {
            Interlocked.Decrement(ref _open);
            share.Dispose();
            return Admission.ServerFull;
        }

        slot = share;
        return Admission.Admitted;
    }

    /// <summary>Sockets open from <paramref name="address"/> (counted only while a per-address cap applies).</summary>
    public int OpenFrom(IPAddress address)
    {
        lock (_perAddress)
        {
            return _perAddress.GetValueOrDefault(address);
        }
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

    public static string NewConnectionId() => Guid.NewGuid().ToString("N");

    /// <summary>A share of <paramref name="address"/>'s cap, or null when it has none left.</summary>
    private AddressShare? TryTakeShare(IPAddress? address)
    {
        if (_maxPerAddress == 0 || address is null)
        {
            return AddressShare.Uncounted;
        }

        lock (_perAddress)
        {
            ref var open = ref CollectionsMarshal.GetValueRefOrAddDefault(_perAddress, address, out _);
            if (open >= _maxPerAddress)
            {
                return null;
            }

            open++;
        }

        return new AddressShare(this, address);
    }

    /// <summary>One socket's share of its address's cap, given back once (disposing twice gives back nothing more).</summary>
    private sealed class AddressShare : IDisposable
    {
        public static readonly AddressShare Uncounted = new(null!, null);
        private readonly ConnectionRegistry _registry;
        private IPAddress? _address;

        public AddressShare(ConnectionRegistry registry, IPAddress? address)
        {
            _registry = registry;
            _address = address;
        }

        public void Dispose()
        {
            var address = Interlocked.Exchange(ref _address, null);
            if (address is null)
            {
                return;
            }

            var counts = _registry._perAddress;
            lock (counts)
            {
                if (counts.TryGetValue(address, out var open) && --open > 0)
                {
                    counts[address] = open;
                }
                else
                {
                    counts.Remove(address);
                }
            }
        }
    }
}
