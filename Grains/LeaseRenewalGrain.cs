using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrleansChat.Grains.Logging;
using OrleansChat.Model;

namespace OrleansChat.Grains;

/// <summary>Renews leases room by room from inside the cluster; holds no state.</summary>
[StatelessWorker]
[Reentrant]
public sealed class LeaseRenewalGrain(IGrainFactory grains, ILogger<LeaseRenewalGrain> logger) : Grain, ILeaseRenewalGrain
{
    public async Task<RoomLeaseRenewal[]> RenewMany(RoomLeases[] rooms)
    {
        // Anyone who reaches a gateway can call this: bounded and validated like every grain method.
        if (rooms is null || rooms.Length > ILeaseRenewalGrain.MaxRoomsPerCall)
        {
            throw new ArgumentException($"A renewal carries 1 to {ILeaseRenewalGrain.MaxRoomsPerCall} rooms.", nameof(rooms));
        }

        return await Task.WhenAll(rooms.Select(RenewAsync));
    }

    private async Task<RoomLeaseRenewal> RenewAsync(RoomLeases room)
    {
        if (room is null || !ChatValidation.IsValidRoomId(room.RoomId) || room.ConnectionIds is null)
        {
            return new RoomLeaseRenewal(room?.RoomId ?? string.Empty, null);
        }

        try
        {
            return new RoomLeaseRenewal(room.RoomId, await grains.GetGrain<IChatRoomGrain>(room.RoomId).RenewLeases(room.ConnectionIds));
        }
        catch (Exception ex)
        {
            ChatRoomLog.LeaseRenewalFailed(logger, ex, room.RoomId);
            return new RoomLeaseRenewal(room.RoomId, null);
        }
    }
}
