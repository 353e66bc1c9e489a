using OrleansChat.WebFront.Logging;

namespace OrleansChat.WebFront.Extensions;

/// <summary>Keeps trying to reach the cluster at start (silos may start after WebFront), every 2 s, logging each failure.</summary>
internal sealed class ClusterConnectionRetryFilter(ILogger<ClusterConnectionRetryFilter> logger) : IClientConnectionRetryFilter
{
    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        WebFrontLog.ClusterConnectRetry(logger, exception);
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        return !cancellationToken.IsCancellationRequested;
    }
}
