using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansChat.WebFront.Sockets;

namespace OrleansChat.WebFront.Extensions;

/// <summary>Ready = not shutting down and a silo answers a ping within 3 s.</summary>
internal sealed class ClusterHealthCheck(IClusterClient cluster, ConnectionRegistry registry) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (registry.IsDraining)
        {
            return HealthCheckResult.Unhealthy("Shutting down.");
        }

        try
        {
            var silo = await cluster.GetGrain<IHealthGrain>(0).Ping().WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
            return HealthCheckResult.Healthy("Cluster reachable (" + silo + ").");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The Orleans cluster is not reachable.");
        }
    }
}
