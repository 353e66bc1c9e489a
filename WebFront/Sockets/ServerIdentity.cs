using Microsoft.Extensions.Options;

namespace OrleansChat.WebFront.Sockets;

/// <summary>The name this WebFront gives itself in welcome frames (which server a client landed on).</summary>
internal sealed class ServerIdentity(IOptions<ChatSocketOptions> options)
{
    public string Id { get; } = string.IsNullOrWhiteSpace(options.Value.ServerId)
        ? $"{Environment.MachineName}-{Environment.ProcessId}"
        : options.Value.ServerId;
}
