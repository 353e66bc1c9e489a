namespace OrleansChat;

/// <summary>
/// The outcome of a room operation. Every value but <see cref="Ok"/> and <see cref="Duplicate"/> is a refusal;
/// WebFront maps each one to a stable error code (see docs/protocol.md). Never renumber.
/// </summary>
public enum ChatStatus
{
    Ok = 0,

    /// <summary>A commit whose client message id the room already has: accepted once, not appended again.</summary>
    Duplicate = 1,

    /// <summary>A chunk older than the newest one seen from that participant; dropped.</summary>
    Stale = 2,

    NotJoined = 10,
    AlreadyJoined = 11,
    RoomFull = 12,
    InvalidRoom = 13,
    InvalidConnection = 14,

    /// <summary>A join of a room that does not exist, from a caller not allowed to create rooms right now.</summary>
    RoomCreationLimited = 15,

    /// <summary>A join from a client address that already holds <see cref="ChatLimits.MaxParticipantsPerRoomPerAddress"/> places in the room.</summary>
    TooManyFromAddress = 16,

    NameRequired = 20,
    NameTooLong = 21,
    NameInvalid = 22,

    TextRequired = 30,
    TextTooLong = 31,
    InvalidMessageId = 32,
    InvalidSequence = 33,
}
