namespace OrleansChat.Infra.Service;

/// <summary>What an instance's start-up script needs; values may be CloudFormation tokens (resolved at deploy time).</summary>
public sealed record StartupScriptValues(
    string ImageUri,
    string Registry,
    string RegistryRegion,
    string RedisConnectionString,
    string RedisSecretArn,
    string ClusterId,
    string ServiceId,
    string LogGroupName,
    string Region,
    string StackName,
    string AutoScalingGroupLogicalId,
    string VpcCidr,
    bool Cohosted = false);

/// <summary>
/// The user data of every instance (bash on Amazon Linux 2023, run once as root at first boot). It sets up the failure
/// signal first, reads the instance's id and private IP through IMDSv2, reads the Redis auth token from Secrets Manager
/// (with the instance role) into a root-only file, installs Docker, logs into ECR, runs the image twice with host
/// networking (a silo advertising that IP, a WebFront on 3000; both restart unless stopped and log to CloudWatch Logs;
/// with <c>topology=cohosted</c>, once: a WebFront on 3000 that is also the silo advertising that IP),
/// starts the drain watcher (<see cref="DrainWatcher"/>), waits until the WebFront is ready (a silo answers through it)
/// and then signals CloudFormation, which is what lets a rolling update go on to the next instance. Any failure, from
/// the first line on, signals failure at once, so a bad image stops the update instead of timing out.
/// </summary>
public static class StartupScript
{
    /// <summary>How long the script waits for the WebFront's <c>/ready</c> before it gives up (and signals failure).</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Docker's grace period between SIGTERM and SIGKILL for both containers (<c>--stop-timeout</c>).</summary>
    public const int StopTimeoutSeconds = 30;

    /// <summary>
    /// The .NET host's own shutdown timeout (<c>Chat__ShutdownTimeout</c>), below <see cref="StopTimeoutSeconds"/> so
    /// a drain always ends by itself, and (with the watcher's poll) within the load balancer's deregistration delay.
    /// </summary>
    public const int HostShutdownTimeoutSeconds = 20;

    /// <summary>A root-only folder in tmpfs (gone at reboot) for the containers' secret settings.</summary>
    public const string RunDirectory = "/run/orleans-chat";

    /// <summary>The line after which the script installs and starts things (the tests run everything before it).</summary>
    public const string SetupEndsMarker = "# ---- set-up done: install and start ----";

    public static IReadOnlyList<string> Lines(StartupScriptValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var readyAttempts = (int)(ReadyTimeout.TotalSeconds / 5);

        return
        [
            "set -Eeuo pipefail",
            "# OrleansChat instance start-up (infra/Service/StartupScript.cs); its output is in /var/log/cloud-init-output.log.",
            "# Nothing here prints the Redis auth token: it goes from Secrets Manager into a root-only file only.",
            $"IMAGE='{values.ImageUri}'",
            $"REGISTRY='{values.Registry}'",
            $"REGISTRY_REGION='{values.RegistryRegion}'",
            $"REDIS='{values.RedisConnectionString}'",
            $"REDIS_SECRET='{values.RedisSecretArn}'",
            $"CLUSTER_ID='{values.ClusterId}'",
            $"SERVICE_ID='{values.ServiceId}'",
            "# The load balancer's nodes live in the VPC: the WebFront believes X-Forwarded-For only from there.",
            $"VPC_CIDR='{values.VpcCidr}'",
            $"LOG_GROUP='{values.LogGroupName}'",
            $"REGION='{values.Region}'",
            $"STACK='{values.StackName}'",
            $"SIGNAL_RESOURCE='{values.AutoScalingGroupLogicalId}'",
            $"LIFECYCLE_HOOK='{DrainWatcher.LifecycleHookName}'",
            $"RUN_DIR='{RunDirectory}'",
            "",
            "# Tell CloudFormation how this instance's start went: creation and rolling updates wait for it. The AWS CLI comes",
            "# with Amazon Linux 2023; the instance role may signal this stack only. Set up before anything can fail: a",
            "# failure before the instance id is known still signals (any FAILURE signal fails the update at once).",
            "INSTANCE_ID=''",
            "signal() {",
            "  aws cloudformation signal-resource --region \"$REGION\" --stack-name \"$STACK\" \\",
            "    --logical-resource-id \"$SIGNAL_RESOURCE\" --unique-id \"${INSTANCE_ID:-unknown-${HOSTNAME:-host}}\" --status \"$1\" || true",
            "}",
            "# set -E passes the trap into command substitutions too: only the script itself (not a failing $(...)) signals.",
            "trap '[ \"$BASH_SUBSHELL\" -gt 0 ] || { echo \"orleans-chat: start-up failed at line $LINENO\" >&2; signal FAILURE; }' ERR",
            "",
            "# The instance's private IP (the silo advertises it) and id, through IMDSv2: a session token first.",
            "TOKEN=$(curl -fsS --retry 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)",
            "PRIVATE_IP=$(curl -fsS --retry 5 -H \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/local-ipv4)",
            "INSTANCE_ID=$(curl -fsS --retry 5 -H \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/instance-id)",
            "",
            "# The Redis auth token (ElastiCache AUTH), read with the instance role into a root-only env file for docker; it",
            "# never reaches the command line, the user data or the logs.",
            "install -d -m 700 \"$RUN_DIR\"",
            "redis_token=$(aws secretsmanager get-secret-value --region \"$REGION\" --secret-id \"$REDIS_SECRET\" --query SecretString --output text)",
            "(umask 077 && printf 'ConnectionStrings__Redis=%s,password=%s\\n' \"$REDIS\" \"$redis_token\" >\"$RUN_DIR/redis.env\")",
            "unset redis_token",
            SetupEndsMarker,
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
            $"# security groups are the only firewall. docker stop gives each process {StopTimeoutSeconds} s before SIGKILL; .NET gives up",
            $"# on its own after {HostShutdownTimeoutSeconds} s (Chat__ShutdownTimeout), so a drain always ends by itself.",
            "# Logs never block the app (non-blocking mode); docker logs still works (Docker keeps a local copy).",
            $"common=(--detach --network host --restart unless-stopped --stop-timeout {StopTimeoutSeconds}",
            "  --log-driver awslogs --log-opt \"awslogs-region=$REGION\" --log-opt \"awslogs-group=$LOG_GROUP\"",
            "  --log-opt mode=non-blocking --log-opt max-buffer-size=4m",
            "  --env-file \"$RUN_DIR/redis.env\" --env \"Orleans__ClusterId=$CLUSTER_ID\" --env \"Orleans__ServiceId=$SERVICE_ID\"",
            $"  --env Chat__ShutdownTimeout=00:00:{HostShutdownTimeoutSeconds:D2} --env DOTNET_gcServer=0)",
            .. (values.Cohosted ? CohostedContainer() : TieredContainers()),
            "",
            "# The drain watcher: when Auto Scaling starts terminating this instance, it drains the WebFront while the load",
            "# balancer still carries its sockets, stops the silo, then completes the termination lifecycle hook.",
            $"cat >{DrainWatcher.Path} <<'DRAIN'",
            .. DrainWatcher.Lines(values.Cohosted),
            "DRAIN",
            $"chmod 755 {DrainWatcher.Path}",
            $"cat >/etc/systemd/system/{DrainWatcher.ServiceName}.service <<UNIT",
            "[Unit]",
            "Description=OrleansChat: drain the WebFront and stop the silo when Auto Scaling terminates this instance",
            "After=docker.service",
            "Wants=docker.service",
            "[Service]",
            "Environment=REGION=$REGION LIFECYCLE_HOOK=$LIFECYCLE_HOOK",
            $"ExecStart={DrainWatcher.Path}",
            "Restart=on-failure",
            "[Install]",
            "WantedBy=multi-user.target",
            "UNIT",
            "systemctl daemon-reload",
            $"systemctl enable --now {DrainWatcher.ServiceName}",
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

    // The WebFront's own settings, the same in both shapes.
    private static string[] WebFrontSettings() =>
    [
        $"  --env ASPNETCORE_URLS=http://+:{ChatPorts.WebFront} --env \"Chat__Socket__ServerId=$INSTANCE_ID\" \\",
        $"  --env Chat__Metrics__Address=127.0.0.1 --env Chat__Metrics__Port={ChatPorts.WebFrontMetrics} \\",
        "  --env \"Chat__ForwardedHeaders__KnownNetworks__0=$VPC_CIDR\" \\",
    ];

    private static string[] TieredContainers() =>
    [
        "docker run \"${common[@]}\" --name silo --log-opt \"awslogs-stream=$INSTANCE_ID/silo\" \\",
        "  --env \"Orleans__AdvertisedIP=$PRIVATE_IP\" " +
            $"--env Orleans__SiloPort={ChatPorts.Silo} --env Orleans__GatewayPort={ChatPorts.Gateway} " +
            $"--env Orleans__DashboardPort={ChatPorts.SiloDashboard} --env Orleans__DashboardAddress=127.0.0.1 \\",
        "  \"$IMAGE\" silo",
        "docker run \"${common[@]}\" --name webfront --log-opt \"awslogs-stream=$INSTANCE_ID/webfront\" \\",
        .. WebFrontSettings(),
        "  \"$IMAGE\" webfront",
    ];

    // topology=cohosted: the WebFront is the instance's silo too (one process), on the same silo port and address.
    private static string[] CohostedContainer() =>
    [
        "# topology=cohosted: one process, a WebFront that is also this instance's silo of the cluster.",
        "docker run \"${common[@]}\" --name webfront --log-opt \"awslogs-stream=$INSTANCE_ID/webfront\" \\",
        "  --env Orleans__HostSilo=true --env \"Orleans__AdvertisedIP=$PRIVATE_IP\" " +
            $"--env Orleans__SiloPort={ChatPorts.Silo} --env Orleans__GatewayPort={ChatPorts.Gateway} \\",
        .. WebFrontSettings(),
        "  \"$IMAGE\" webfront",
    ];
}
