using System.Net;
using Microsoft.Extensions.Options;
using OrleansChat.WebFront.Rooms;
using OrleansChat.WebFront.Sockets;

namespace OrleansChat.WebFront.Tests;

/// <summary>
/// The per-address limits on their own, without sockets: open sockets per address (<see cref="ConnectionRegistry"/>)
/// and new rooms per minute (<see cref="NewRoomLimiter"/>). Neither runs a timer; both must still give back and
/// top up what they hold, and forget addresses that no longer hold anything.
/// </summary>
public sealed class AddressLimitTests
{
    private static readonly IPAddress Alice = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress Bob = IPAddress.Parse("2001:db8::1");

    [Fact]
    public void AnAddressOpensUpToItsCapAndGetsItsShareBackWhenASocketCloses()
    {
        var registry = new ConnectionRegistry(Options.Create(new ChatSocketOptions { MaxConnectionsPerAddress = 2 }));
        Assert.Equal(Admission.Admitted, registry.TryOpen(Alice, out var first));
        Assert.Equal(Admission.Admitted, registry.TryOpen(Alice, out var second));
        Assert.Equal(Admission.AddressFull, registry.TryOpen(Alice, out var refused));
        Assert.Null(refused);
        Assert.Equal(Admission.Admitted, registry.TryOpen(Bob, out var bobs));
        Assert.Equal(3, registry.OpenConnections);

        registry.Close(null, first!);
        first!.Dispose(); // a second give-back of the same share gives back nothing more
        Assert.Equal(1, registry.OpenFrom(Alice));
        Assert.Equal(Admission.Admitted, registry.TryOpen(Alice, out var third));
        Assert.Equal(Admission.AddressFull, registry.TryOpen(Alice, out _));

        registry.Close(null, second!);
        registry.Close(null, third!);
        registry.Close(null, bobs!);
        Assert.Equal(0, registry.OpenConnections);
        Assert.Equal(0, registry.OpenFrom(Alice));
        Assert.Equal(0, registry.OpenFrom(Bob));
    }

    [Fact]
    public void WithoutAPerAddressCapOnlyTheServerCapCounts()
    {
        var registry = new ConnectionRegistry(Options.Create(new ChatSocketOptions { MaxConnectionsPerAddress = 0, MaxConnections = 3 }));
        var slots = new List<IDisposable>();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Admission.Admitted, registry.TryOpen(Alice, out var slot));
            slots.Add(slot!);
        }

        Assert.Equal(Admission.ServerFull, registry.TryOpen(Bob, out _));
        Assert.Equal(0, registry.OpenFrom(Alice)); // not counted per address at all
        registry.Close(null, slots[0]);
        Assert.Equal(Admission.Admitted, registry.TryOpen(Bob, out _));
    }

    [Fact]
    public void AnAddressCreatesItsRoomsAMinuteAndNoMoreWhileOthersAreNotHeldBack()
    {
        using var limiter = new NewRoomLimiter(Options.Create(new ChatLimits { NewRoomsPerMinutePerAddress = 3 }));
        Assert.False(limiter.IsUnlimited);
        Assert.True(limiter.TryTake(Alice));
        Assert.True(limiter.TryTake(Alice));
        Assert.True(limiter.TryTake(Alice));
        Assert.False(limiter.TryTake(Alice));
        Assert.True(limiter.TryTake(Bob));
        Assert.True(limiter.TryTake(null)); // no address known (a test host): not limited
        Assert.Equal(2, limiter.TrackedAddresses);
    }

    [Fact]
    public async Task AnAddressThatUsedItsMinuteGetsMoreAsTimePasses()
    {
        // 120 a minute: a new permit every half second, with no timer running in between.
        using var limiter = new NewRoomLimiter(Options.Create(new ChatLimits { NewRoomsPerMinutePerAddress = 120 }));
        var taken = 0;
        while (limiter.TryTake(Alice))
        {
            taken++;
        }

        Assert.InRange(taken, 120, 121);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (!limiter.TryTake(Alice))
        {
            await Task.Delay(50, deadline.Token);
        }
    }

    [Fact]
    public async Task AnAddressWhoseBucketIsFullAgainIsForgotten()
    {
        // 600 a minute (one back every 100 ms), full buckets let go every 200 ms: Alice takes one and stops; Bob keeps
        // taking faster than his bucket refills, so his stays.
        using var limiter = new NewRoomLimiter(Options.Create(new ChatLimits { NewRoomsPerMinutePerAddress = 600 }), TimeSpan.FromMilliseconds(200));
        Assert.True(limiter.TryTake(Alice));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        do
        {
            for (var i = 0; i < 5; i++)
            {
                limiter.TryTake(Bob);
            }

            await Task.Delay(50, deadline.Token);
        }
        while (limiter.TrackedAddresses != 1);

        // Alice's permits are all there again.
        for (var i = 0; i < 600; i++)
        {
            Assert.True(limiter.TryTake(Alice), $"take {i + 1} of a fresh minute");
        }
    }

    [Fact]
    public void WithoutACapEveryAddressCreatesRoomsFreely()
    {
        using var limiter = new NewRoomLimiter(Options.Create(new ChatLimits { NewRoomsPerMinutePerAddress = 0 }));
        Assert.True(limiter.IsUnlimited);
        Assert.All(Enumerable.Range(0, 1_000), _ => Assert.True(limiter.TryTake(Alice)));
        Assert.Equal(0, limiter.TrackedAddresses);
    }
}
