using OrleansChat.Model;

namespace OrleansChat;

/// <summary>
/// Renews presence leases for many rooms in one call (a stateless worker on the silo that receives it, which calls each
/// room from inside the cluster). A WebFront with 10,000 one-person rooms renews them with a few dozen calls instead of
/// 10,000 round trips through its gateway, well within the lease.
/// </summary>
[Alias("OrleansChat.ILeaseRenewalGrain")]
public interface ILeaseRenewalGrain : IGrainWithIntegerKey
{
    /// <summary>Most rooms one call may carry.</summary>
    public const int MaxRoomsPerCall = 1_000;

    /// <summary>One answer per room, in order; a room that failed is marked so, the others are still renewed.</summary>
    [Alias("RenewMany")]
    Task<RoomLeaseRenewal[]> RenewMany(RoomLeases[] rooms);
}
