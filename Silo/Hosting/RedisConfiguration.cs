using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OrleansChat.Hosting;

/// <summary>Parses <c>ConnectionStrings:Redis</c> into StackExchange.Redis options, with a clear error.</summary>
public static class RedisConfiguration
{
    public static ConfigurationOptions Parse(string connectionString)
    {
        try
        {
            var options = ConfigurationOptions.Parse(connectionString);
            // Keep retrying while Redis restarts instead of failing the process.
            options.AbortOnConnectFail = false;
            return options;
        }
        catch (ArgumentException ex)
        {
            throw new OptionsValidationException("ConnectionStrings:Redis", typeof(ConfigurationOptions),
                [$"ConnectionStrings:Redis is not a valid Redis connection string: {ex.Message}"]);
        }
    }
}
