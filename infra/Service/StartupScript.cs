namespace OrleansChat.Infra.Service;

/// <summary>What an instance's start-up script needs; values may be CloudFormation tokens (resolved at deploy time).</summary>
public sealed record StartupScriptValues(
    string ImageUri,
    string Registry,
    string RegistryRegion,
    string RedisConnectionString,
    string ClusterId,
    string ServiceId,
    string LogGroupName,
    string Region,
    string StackName,
    string AutoScalingGroupLogicalId);

/// <summary>
/// The user data of every instance (bash on Amazon Linux 2023, run once as root at first boot). It installs Docker,
/// logs into ECR, reads the instance's private IP through IMDSv2, runs the image twice with host networking (a silo
/// advertising that IP, a WebFront on 3000; both restart unless stopped and log to CloudWatch Logs), waits until the
/// WebFront is ready (a silo answers through it) and then signals CloudFormation, which is what lets a rolling update go
/// on to the next instance. Any failure signals failure at once, so a bad image stops the update instead of timing out.
/// </summary>
public static class StartupScript
{
    /// <summary>How long the script waits for the WebFront's <c>/ready</c> before it gives up (and signals failure).</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(5);

    public static IReadOnlyList<string> Lines(StartupScriptValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var readyAttempts = (int)(ReadyTimeout.TotalSeconds / 5);

        return
        [
            "set -Eeuo pipefail",
            "# OrleansChat instance start-up (infra/Service/StartupScript.cs); its output is in /var/log/cloud-init-output.log.",
            $"IMAGE='{values.ImageUri}'",
            $"REGISTRY='{values.Registry}'",
            $"REGISTRY_REGION='{values.RegistryRegion}'",
            $"REDIS='{values.RedisConnectionString}'",
            $"CLUSTER_ID='{values.ClusterId}'",
            $"SERVICE_ID='{values.ServiceId}'",
            $"LOG_GROUP='{values.LogGroupName}'",
            $"REGION='{values.Region}'",
            $"STACK='{values.StackName}'",
            $"SIGNAL_RESOURCE='{values.AutoScalingGroupLogicalId}'",
            "",
            "# The instance's private IP (the silo advertises it) and id, through IMDSv2: a session token first.",
            "TOKEN=$(curl -fsS --retry 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)",
            "PRIVATE_IP=$(curl -fsS --retry 5 -H \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/local-ipv4)",
            "INSTANCE_ID=$(curl -fsS --retry 5 -H \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/instance-id)",
            "",
            "# Tell CloudFormation how this instance's start went: creation and rolling updates wait for it. The AWS CLI comes",
            "# with Amazon Linux 2023; the instance role may signal this stack only.",
            "signal() {",
            "  aws cloudformation signal-resource --region \"$REGION\" --stack-name \"$STACK\" \\",
            "    --logical-resource-id \"$SIGNAL_RESOURCE\" --unique-id \"$INSTANCE_ID\" --status \"$1\" || true",
            "}",
            "trap 'echo \"orleans-chat: start-up failed at line $LINENO\" >&2; signal FAILURE' ERR",
            "",
            "dnf install -y docker",
            "systemctl enable --now docker",
            "",
            "pulled=no",
            "for attempt in 1 2 3 4 5; do",
            "  if aws ecr get-login-password --region \"$REGISTRY_REGION\" | docker login --username AWS --password-stdin \"$REGISTRY\" \\",
            "      && docker pull \"$IMAGE\"; then pulled=yes; break; fi",
            "  echo \"orleans-chat: pulling $IMAGE failed (attempt $attempt)\" >&2; sleep 15",
            "done",
            "[ \"$pulled\" = yes ]",
            "",
            "# Both roles share the cluster settings. Host networking: the silo's advertised IP is the instance's own, and the",
            "# security groups are the only firewall. docker stop (and instance shutdown) give each process 30 s to drain.",
            "# Logs never block the app (non-blocking mode); docker logs still works (Docker keeps a local copy).",
            "common=(--detach --network host --restart unless-stopped --stop-timeout 30",
            "  --log-driver awslogs --log-opt \"awslogs-region=$REGION\" --log-opt \"awslogs-group=$LOG_GROUP\"",
            "  --log-opt mode=non-blocking --log-opt max-buffer-size=4m",
            "  --env \"ConnectionStrings__Redis=$REDIS\" --env \"Orleans__ClusterId=$CLUSTER_ID\" --env \"Orleans__ServiceId=$SERVICE_ID\"",
            "  --env DOTNET_gcServer=0)",
            "docker run \"${common[@]}\" --name silo --log-opt \"awslogs-stream=$INSTANCE_ID/silo\" \\",
            "  --env \"Orleans__AdvertisedIP=$PRIVATE_IP\" " +
                $"--env Orleans__SiloPort={ChatPorts.Silo} --env Orleans__GatewayPort={ChatPorts.Gateway} " +
                $"--env Orleans__DashboardPort={ChatPorts.SiloDashboard} --env ASPNETCORE_URLS=http://+:{ChatPorts.SiloDashboard} \\",
            "  \"$IMAGE\" silo",
            "docker run \"${common[@]}\" --name webfront --log-opt \"awslogs-stream=$INSTANCE_ID/webfront\" \\",
            $"  --env ASPNETCORE_URLS=http://+:{ChatPorts.WebFront} --env \"Chat__Socket__ServerId=$INSTANCE_ID\" \\",
            "  \"$IMAGE\" webfront",
            "",
            "# Ready: the WebFront answers and reaches a silo through the cluster. Only then may the update go on.",
            $"for attempt in $(seq 1 {readyAttempts}); do",
            $"  if curl -fs -o /dev/null http://127.0.0.1:{ChatPorts.WebFront}/ready; then",
            "    # The load balancer routes here after two passing health checks 10 s apart: give it that before the",
            "    # update takes the next old instance away.",
            "    sleep 30",
            "    signal SUCCESS",
            "    exit 0",
            "  fi",
            "  sleep 5",
            "done",
            $"echo \"orleans-chat: the WebFront was not ready within {ReadyTimeout.TotalMinutes} minutes; see docker logs webfront and silo\" >&2",
            "signal FAILURE",
            "exit 1",
        ];
    }
}
