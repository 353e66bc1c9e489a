namespace OrleansChat.Infra.Settings;

/// <summary>A missing or invalid deployment setting: synthesis stops with this message and nothing else.</summary>
public sealed class DeploySettingsException : Exception
{
    public DeploySettingsException(string message)
        : base(message)
    {
    }

    public DeploySettingsException()
    {
    }

    public DeploySettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
