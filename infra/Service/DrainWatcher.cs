namespace OrleansChat.Infra.Service;

/// <summary>
/// The drain watcher every instance runs (a systemd service that the start-up script installs): it lets the WebFront
/// tell its clients to go away (goingAway, then close 1012) while the load balancer still carries their sockets.
/// <para>
/// The order on AWS, for every termination (rolling update, scale-in, an unhealthy instance): Auto Scaling sets the
/// instance's target lifecycle state to <c>Terminated</c> (readable through IMDS), deregisters it from the target group
/// and waits out the deregistration delay, after which the load balancer closes every socket still open (clients see
/// 1006); only then does a termination lifecycle hook put the instance into <c>Terminating:Wait</c>, and only after that
/// does the instance shut down and its containers get SIGTERM. So neither the hook nor the shutdown comes first:
/// the watcher polls <c>autoscaling/target-lifecycle-state</c> every <see cref="PollSeconds"/> s and, on
/// <c>Terminated</c>, stops the WebFront (SIGTERM: its own drain) and then the silo (it leaves the cluster), all within
/// the deregistration delay. It then completes the termination lifecycle hook, which held the instance until both
/// containers had stopped by themselves (and lets termination go on by itself after its timeout if the watcher died).
/// </para>
/// </summary>
public static class DrainWatcher
{
    /// <summary>Where the start-up script writes the watcher.</summary>
    public const string Path = "/usr/local/bin/orleans-chat-drain";

    /// <summary>The systemd service that runs it.</summary>
    public const string ServiceName = "orleans-chat-drain";

    /// <summary>The termination lifecycle hook the watcher completes.</summary>
    public const string LifecycleHookName = "orleans-chat-drain";

    /// <summary>How often the watcher reads the target lifecycle state (AWS suggests polling; IMDS answers locally).</summary>
    public const int PollSeconds = 2;

    /// <summary>The watcher script itself (bash): a heredoc of the start-up script writes it verbatim.</summary>
    /// <param name="cohosted">The instance runs one WebFront that hosts its silo: stopping it drains and leaves.</param>
    public static IReadOnlyList<string> Lines(bool cohosted = false) =>
    [
        "#!/bin/bash",
        "# OrleansChat drain watcher (infra/Service/DrainWatcher.cs), run by systemd (orleans-chat-drain.service).",
        "# When Auto Scaling starts terminating this instance, the target group starts its deregistration delay; the",
        "# WebFront must say goingAway and close its sockets (1012) before that delay ends and the load balancer cuts them.",
        "#   REGION, LIFECYCLE_HOOK   from the service's environment; IMDS and POLL_SECONDS may be overridden (tests).",
        "set -uo pipefail",
        ": \"${REGION:?}\" \"${LIFECYCLE_HOOK:?}\"",
        "IMDS=\"${IMDS:-http://169.254.169.254}\"",
        $"POLL_SECONDS=\"${{POLL_SECONDS:-{PollSeconds}}}\"",
        "",
        "# One IMDSv2 read: a short-lived session token, then the item.",
        "imds() {",
        "  local token",
        "  token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \"$IMDS/latest/api/token\") || return 1",
        "  curl -fsS -H \"X-aws-ec2-metadata-token: $token\" \"$IMDS/latest/meta-data/$1\"",
        "}",
        "",
        "# Wait for the termination: Auto Scaling sets the target state before it deregisters the instance.",
        "until [ \"$(imds autoscaling/target-lifecycle-state 2>/dev/null)\" = Terminated ]; do",
        "  sleep \"$POLL_SECONDS\"",
        "done",
        "",
        "# The WebFront first (SIGTERM: goingAway, close 1012, leave the rooms while a silo still answers), then the silo",
        "# (it leaves the cluster). Each process stops by itself within its host shutdown timeout, below docker's stop timeout.",
        "echo \"orleans-chat: Auto Scaling is terminating this instance: draining the WebFront, then stopping the silo\"",
        "docker stop webfront || echo \"orleans-chat: stopping the WebFront failed\" >&2",
        cohosted
            ? "# topology=cohosted: the WebFront hosted this instance's silo, which left the cluster as it stopped."
            : "docker stop silo || echo \"orleans-chat: stopping the silo failed\" >&2",
        "",
        "# Let the termination go on. The lifecycle action exists only once deregistration is over (Terminating:Wait), so",
        "# this is retried until it is; the hook's own timeout continues the termination if every attempt fails.",
        "instance_id=$(imds instance-id)",
        "group=$(aws autoscaling describe-auto-scaling-instances --region \"$REGION\" --instance-ids \"$instance_id\" \\",
        "  --query 'AutoScalingInstances[0].AutoScalingGroupName' --output text)",
        "for attempt in $(seq 1 60); do",
        "  if aws autoscaling complete-lifecycle-action --region \"$REGION\" --auto-scaling-group-name \"$group\" \\",
        "      --lifecycle-hook-name \"$LIFECYCLE_HOOK\" --instance-id \"$instance_id\" --lifecycle-action-result CONTINUE; then",
        "    echo \"orleans-chat: drained; termination continues\"",
        "    exit 0",
        "  fi",
        "  sleep \"$POLL_SECONDS\"",
        "done",
        "echo \"orleans-chat: could not complete the lifecycle action; the hook's timeout continues the termination\" >&2",
        "exit 1",
    ];
}
