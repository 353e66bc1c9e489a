namespace OrleansChat;

/// <summary>A stateless probe: answering proves a client can reach a silo that runs the chat grains.</summary>
[Alias("OrleansChat.IHealthGrain")]
public interface IHealthGrain : IGrainWithIntegerKey
{
    [Alias("Ping")]
    Task<string> Ping();
}
