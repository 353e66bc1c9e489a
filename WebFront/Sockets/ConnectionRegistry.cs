using Microsoft.Extensions.Options;

namespace OrleansChat.WebFront.Sockets;

/// <summary>Counts open sockets against <see cref="ChatSocketOptions.MaxConnections"/> and issues connection ids.</summary>
internal sealed class ConnectionRegistry(IOptions<ChatSocketOptions> options)
{
    private readonly int _max = options.Value.MaxConnections;
    private int _open;

    public int OpenConnections => Volatile.Read(ref _open);

    public bool TryOpen()
    {
        if (Interlocked.Increment(ref _open) <= _max)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Close() => Interlocked.Decrement(ref _open);

    public static string NewConnectionId() => Guid.NewGuid().ToString("N");
}
