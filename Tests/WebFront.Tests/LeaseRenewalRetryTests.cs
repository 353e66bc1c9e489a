using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansChat.WebFront.Rooms;

namespace OrleansChat.WebFront.Tests;

/// <summary>
/// A renewal call that fails (a silo stalled, restarting, or refusing) is retried within its round: waiting for the
/// next round would leave a whole batch of rooms one renewal period closer to losing their participants.
/// </summary>
public sealed class LeaseRenewalRetryTests
{
    [Fact]
    public async Task AFailedRenewalCallIsRetriedInTheSameRound()
    {
        var filter = new FailingRenewals();
        await using var host = await WebFrontHost.StartAsync(
            new Dictionary<string, string?> { ["Chat:Limits:LeaseTimeout"] = "00:00:03" },
            services: s => s.AddSingleton<IIncomingGrainCallFilter>(filter));
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var leases = host.Services.GetServices<IHostedService>().OfType<PresenceLeases>().Single();
        filter.Rounds = () => leases.Rounds;

        const string roomId = "lease-retry";
        var member = new SocketlessMember("conn-retry");
        Assert.Equal(ChatStatus.Ok, (await grains.GetGrain<IChatRoomGrain>(roomId).Join(member.ConnectionId, "Ada")).Status);
        host.Services.GetRequiredService<RoomFeeds>().Acquire(roomId).Add(member);

        // The next two renewal calls fail; the third, a retry, must come in the round the first failure happened in.
        filter.FailNext(2);
        var roundOfSuccess = await filter.NextSuccess.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(filter.RoundOfFirstFailure, roundOfSuccess);
        Assert.Equal(2, leases.FailedCalls);
        var snapshot = await grains.GetGrain<IChatRoomGrain>(roomId).GetSnapshot();
        Assert.Contains(snapshot.Participants, p => p.ConnectionId == member.ConnectionId);
        Assert.Equal(0, member.Rejoins);
    }

    /// <summary>Fails the next N <c>RenewMany</c> calls the embedded silo receives, then reports the round of the first success.</summary>
    private sealed class FailingRenewals : IIncomingGrainCallFilter
    {
        private readonly TaskCompletionSource<int> _success = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _toFail = -1;

        public Func<int> Rounds { get; set; } = () => -1;

        public int RoundOfFirstFailure { get; private set; } = -1;

        public Task<int> NextSuccess => _success.Task;

        public void FailNext(int calls) => Volatile.Write(ref _toFail, calls);

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(ILeaseRenewalGrain.RenewMany) && Volatile.Read(ref _toFail) >= 0)
            {
                var left = Interlocked.Decrement(ref _toFail);
                if (left >= 0)
                {
                    if (RoundOfFirstFailure < 0)
                    {
                        RoundOfFirstFailure = Rounds();
                    }

                    throw new InvalidOperationException("renewal refused by the test");
                }

                await context.Invoke();
                _success.TrySetResult(Rounds());
                return;
            }

            await context.Invoke();
        }
    }
}
