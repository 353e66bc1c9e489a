namespace OrleansChat.Grains.Tests.Infrastructure;

internal static class TestRooms
{
    /// <summary>A valid room id no other test uses, so tests sharing a cluster never see each other's events.</summary>
    public static string NewId() => $"room-{Guid.NewGuid():N}";
}
