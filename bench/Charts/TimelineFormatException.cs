namespace OrleansChat.Bench.Charts;

/// <summary>A timeline file that is missing, unreadable or not a timeline; the message says which file and why.</summary>
public sealed class TimelineFormatException : Exception
{
    public TimelineFormatException()
    {
    }

    public TimelineFormatException(string message)
        : base(message)
    {
    }

    public TimelineFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
