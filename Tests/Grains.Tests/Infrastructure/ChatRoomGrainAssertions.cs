using OrleansChat.Model;

namespace OrleansChat.Grains.Tests.Infrastructure;

/// <summary>Calls that a test expects to succeed, so the test can focus on what it is about.</summary>
internal static class ChatRoomGrainAssertions
{
    public static async Task<RoomSnapshot> JoinOkAsync(this IChatRoomGrain room, string connectionId, string displayName)
    {
        var result = await room.Join(connectionId, displayName);
        Assert.Equal(ChatStatus.Ok, result.Status);
        return Assert.IsType<RoomSnapshot>(result.Snapshot);
    }

    public static async Task DraftOkAsync(this IChatRoomGrain room, string connectionId, string text, long senderSeq) =>
        Assert.Equal(ChatStatus.Ok, await room.UpdateDraft(connectionId, text, senderSeq));

    public static async Task<ChatMessage> CommitOkAsync(this IChatRoomGrain room, string connectionId, string text, string clientMessageId)
    {
        var result = await room.Commit(connectionId, text, clientMessageId);
        Assert.Equal(ChatStatus.Ok, result.Status);
        return Assert.IsType<ChatMessage>(result.Message);
    }
}
