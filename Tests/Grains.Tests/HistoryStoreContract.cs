using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OrleansChat.Grains.History;
using OrleansChat.Model;

namespace OrleansChat.Grains.Tests;

/// <summary>
/// What every history store does, run against each one (in memory, and a real Redis): append-only, retention by
/// count and age, idempotency by time and independent of trimming, a fence against a stale writer, paging.
/// </summary>
public abstract class HistoryStoreContract
{
    protected static readonly DateTimeOffset Start = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    protected FakeTimeProvider Time { get; } = new(Start);

    protected static ChatLimits Limits(int maxHistory = 1_000, TimeSpan? maxAge = null) => new()
    {
        MaxHistory = maxHistory,
        HistoryMaxAge = maxAge ?? TimeSpan.FromDays(90),
        IdempotencyWindow = TimeSpan.FromHours(24),
        MaxIdempotencyKeys = 100_000,
        RoomExpiry = TimeSpan.FromDays(30),
    };

    protected abstract Task<IRoomHistoryStore> CreateAsync(ChatLimits limits);

    protected ChatMessage Message(long seq, string? id = null, string? text = null) =>
        new(seq, id ?? $"msg-{seq}", "conn-a", "Ada", text ?? $"message {seq}", DateTimeOffset.FromUnixTimeMilliseconds(Time.GetUtcNow().ToUnixTimeMilliseconds()));

    [Fact]
    public async Task ANewRoomDoesNotExist()
    {
        var store = await CreateAsync(Limits());
        var room = await store.LoadAsync(TestRooms.NewId(), 10);
        Assert.False(room.Exists);
        Assert.Empty(room.Recent);
    }

    [Fact]
    public async Task TheNewestMessagesLoadInOrderAndOlderOnesPageBackToTheStart()
    {
        var store = await CreateAsync(Limits());
        var roomId = TestRooms.NewId();
        var all = new List<ChatMessage>();
        for (var seq = 1; seq <= 130; seq++)
        {
            var message = Message(seq * 2, text: seq % 10 == 0 ? "Grüße, 你好, 👋" : null);
            Assert.Equal(AppendOutcome.Appended, (await store.AppendAsync(roomId, message)).Outcome);
            all.Add(message);
        }

        var loaded = await store.LoadAsync(roomId, 100);
        Assert.True(loaded.Exists);
        Assert.Equal(260, loaded.LastSeq);
        Assert.Equal(all.TakeLast(100), loaded.Recent);
        Assert.True(loaded.MoreHistory);

        var page = await store.ReadBeforeAsync(roomId, loaded.Recent[0].Seq, 20);
        Assert.Equal(all.Skip(10).Take(20), page.Messages);
        Assert.True(page.More);
        var last = await store.ReadBeforeAsync(roomId, page.Messages[0].Seq, 20);
        Assert.Equal(all.Take(10), last.Messages);
        Assert.False(last.More);
        Assert.Empty((await store.ReadBeforeAsync(roomId, 1, 20)).Messages);
    }

    [Fact]
    public async Task ARetriedIdIsADuplicateAfterItsMessageWasTrimmed()
    {
        var store = await CreateAsync(Limits(maxHistory: 5));
        var roomId = TestRooms.NewId();
        var first = Message(1, "the-first");
        await store.AppendAsync(roomId, first);
        for (var seq = 2; seq <= 40; seq++)
        {
            await store.AppendAsync(roomId, Message(seq));
        }

        var retry = await store.AppendAsync(roomId, Message(41, "the-first", first.Text));

        Assert.Equal(AppendOutcome.Duplicate, retry.Outcome);
        Assert.Equal(1, retry.Existing!.Seq);
        Assert.Equal(first.SentAt, retry.Existing.SentAt);
        var loaded = await store.LoadAsync(roomId, 100);
        Assert.Equal(Enumerable.Range(36, 5).Select(s => (long)s), loaded.Recent.Select(m => m.Seq));
        Assert.False(loaded.MoreHistory);
    }

    [Fact]
    public async Task ADuplicateWithinTheHistoryAnswersWithTheStoredMessage()
    {
        var store = await CreateAsync(Limits());
        var roomId = TestRooms.NewId();
        var original = Message(7, "same-id", "the original text");
        await store.AppendAsync(roomId, original);

        var retry = await store.AppendAsync(roomId, Message(8, "same-id", "the original text"));

        Assert.Equal(AppendOutcome.Duplicate, retry.Outcome);
        Assert.Equal(original, retry.Existing);
        Assert.Equal([original], (await store.LoadAsync(roomId, 10)).Recent);
    }

    [Fact]
    public async Task AnIdIsForgottenAfterTheIdempotencyWindow()
    {
        var store = await CreateAsync(Limits());
        var roomId = TestRooms.NewId();
        await store.AppendAsync(roomId, Message(1, "reused"));

        Time.Advance(TimeSpan.FromHours(25));

        Assert.Equal(AppendOutcome.Appended, (await store.AppendAsync(roomId, Message(2, "reused"))).Outcome);
    }

    [Fact]
    public async Task MessagesOlderThanTheMaximumAgeAreTrimmed()
    {
        var store = await CreateAsync(Limits(maxAge: TimeSpan.FromHours(1)));
        var roomId = TestRooms.NewId();
        for (var seq = 1; seq <= 3; seq++)
        {
            await store.AppendAsync(roomId, Message(seq));
        }

        Time.Advance(TimeSpan.FromHours(2));
        var fresh = Message(4);
        await store.AppendAsync(roomId, fresh);

        Assert.Equal([fresh], (await store.LoadAsync(roomId, 10)).Recent);
        Assert.Empty((await store.ReadBeforeAsync(roomId, 4, 10)).Messages);
    }

    [Fact]
    public async Task AnAppendAtOrBelowTheStoredSequenceIsStaleAndChangesNothing()
    {
        var store = await CreateAsync(Limits());
        var roomId = TestRooms.NewId();
        await store.AppendAsync(roomId, Message(10));

        var stale = await store.AppendAsync(roomId, Message(10, "other"));

        Assert.Equal(AppendOutcome.Stale, stale.Outcome);
        Assert.Equal(10, stale.LastSeq);
        Assert.Single((await store.LoadAsync(roomId, 10)).Recent);
        Assert.Equal(AppendOutcome.Appended, (await store.AppendAsync(roomId, Message(11, "other"))).Outcome);
    }

    [Fact]
    public async Task AnAppendByAWriterThatNeverSawTheNewestStoredMessageIsStale()
    {
        var store = await CreateAsync(Limits());
        var roomId = TestRooms.NewId();
        await store.AppendAsync(roomId, Message(10), knownLastSeq: 0);
        // Another activation, numbering lower, stores 11 while this writer still believes 10 is the newest.
        await store.AppendAsync(roomId, Message(11, "from-the-other-activation"), knownLastSeq: 10);

        var stale = await store.AppendAsync(roomId, Message(20_001), knownLastSeq: 10);

        Assert.Equal(AppendOutcome.Stale, stale.Outcome);
        Assert.Equal(11, stale.LastSeq);
        Assert.Equal([10L, 11L], (await store.LoadAsync(roomId, 10)).Recent.Select(m => m.Seq));
        // Having read the room again, the writer goes on.
        Assert.Equal(AppendOutcome.Appended, (await store.AppendAsync(roomId, Message(20_001), knownLastSeq: 11)).Outcome);
        // Without a known last number nothing but the order is checked (a migration's own writes).
        Assert.Equal(AppendOutcome.Appended, (await store.AppendAsync(roomId, Message(20_002))).Outcome);
    }

    [Fact]
    public async Task AReservationMakesTheRoomExistAndNeverGoesDown()
    {
        var store = await CreateAsync(Limits());
        var roomId = TestRooms.NewId();
        await store.ReserveSeqAsync(roomId, 10_000);
        await store.ReserveSeqAsync(roomId, 5);

        var room = await store.LoadAsync(roomId, 10);

        Assert.True(room.Exists);
        Assert.Equal(10_000, room.ReservedSeq);
        Assert.Empty(room.Recent);
    }
}

/// <summary>The contract, in memory (embedded mode), including rooms that expire when unused.</summary>
public sealed class MemoryHistoryStoreTests : HistoryStoreContract
{
    private MemoryRoomHistoryStore? _store;

    protected override Task<IRoomHistoryStore> CreateAsync(ChatLimits limits)
    {
        _store = new MemoryRoomHistoryStore(Options.Create(limits), Time);
        return Task.FromResult<IRoomHistoryStore>(_store);
    }

    [Fact]
    public async Task AnAbandonedRoomIsForgottenAfterTheRoomExpiry()
    {
        var store = await CreateAsync(Limits());
        for (var i = 0; i < 50; i++)
        {
            await store.AppendAsync($"room-{i}", Message(1));
        }

        await store.AppendAsync("room-kept", Message(1));
        Time.Advance(TimeSpan.FromDays(20));
        await store.AppendAsync("room-kept", Message(2));
        Time.Advance(TimeSpan.FromDays(11));

        Assert.Equal(1, _store!.RoomCount);
        Assert.False((await store.LoadAsync("room-1", 10)).Exists);
        Assert.True((await store.LoadAsync("room-kept", 10)).Exists);
    }
}
