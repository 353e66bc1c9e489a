using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OrleansChat.Hosting;

/// <summary>Parses <c>ConnectionStrings:Redis</c> into StackExchange.Redis options, with a clear error.</summary>
public static class RedisConfiguration
{
    /// <summary>What this process's Redis connection is called in Redis's <c>CLIENT LIST</c>, unless the connection string names it.</summary>
    public static string ClientName(string role) => $"orleanschat-{role}-{Environment.MachineName}-{Environment.ProcessId}";

    /// <param name="connectionString">A StackExchange.Redis connection string.</param>
    /// <param name="role">What uses the connection (<c>silo</c>, <c>client</c>): part of its name in <c>CLIENT LIST</c>.</param>
    public static ConfigurationOptions Parse(string connectionString, string role)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new OptionsValidationException("ConnectionStrings:Redis", typeof(ConfigurationOptions),
                [$"ConnectionStrings:Redis is not a valid Redis connection string: {ex.Message}"]);
        }

        // Keep retrying while Redis restarts instead of failing the process.
        options.AbortOnConnectFail = false;
        options.ClientName ??= ClientName(role);

        // Nothing of ours uses Redis pub/sub (membership, grain storage and history are plain commands), so a
        // multiplexer needs no second socket for subscriptions: with those commands unavailable it opens one connection,
        // not two, and keeps no idle socket alive. The configuration channel is a pub/sub channel too (clients telling
        // each other of a primary change). A connection string with its own command map ($COMMAND=...) keeps it as is.
        if (ReferenceEquals(options.CommandMap, CommandMap.Default))
        {
            options.CommandMap = CommandMap.Create(
                new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "PUBLISH", "SPUBLISH" },
                available: false);
            options.ConfigurationChannel = "";
        }

        return options;
    }
}
