using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// Decides whether a WebSocket upgrade may proceed based on its Origin header: the page's own host is always
/// allowed, others only when listed in <see cref="ChatSocketOptions.AllowedOrigins"/>.
/// </summary>
internal sealed class OriginPolicy(IOptions<ChatSocketOptions> options)
{
    private readonly HashSet<string> _allowed = new(
        options.Value.AllowedOrigins.Select(o => o.Trim().TrimEnd('/')),
        StringComparer.OrdinalIgnoreCase);

    public bool IsAllowed(HttpRequest request)
    {
        var origin = request.Headers[HeaderNames.Origin].ToString();
        if (string.IsNullOrEmpty(origin))
        {
            // Browsers always send Origin on a WebSocket upgrade; its absence means a non-browser client,
            // which cross-site request forgery cannot involve.
            return true;
        }

        if (_allowed.Contains("*") || _allowed.Contains(origin.TrimEnd('/')))
        {
            return true;
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
