namespace OrleansChat.WebFront.Protocol;

/// <summary>The stable error codes of <c>error</c> frames. Documented in docs/protocol.md; never change a value.</summary>
internal static class ErrorCodes
{
    public const string InvalidJson = "invalid_json";
    public const string InvalidFrame = "invalid_frame";
    public const string UnknownType = "unknown_type";
    public const string NotJoined = "not_joined";
    public const string AlreadyJoined = "already_joined";
    public const string InvalidRoom = "invalid_room";
    public const string RoomFull = "room_full";
    public const string NameRequired = "name_required";
    public const string NameTooLong = "name_too_long";
    public const string NameInvalid = "name_invalid";
    public const string TextRequired = "text_required";
    public const string TextTooLong = "text_too_long";
    public const string InvalidMessageId = "invalid_message_id";
    public const string InvalidSeq = "invalid_seq";
    public const string RateLimited = "rate_limited";
    public const string Unavailable = "unavailable";
    public const string TooManyNewRooms = "too_many_new_rooms";
    public const string JoinTimeout = "join_timeout";
    public const string TooManyFromAddress = "too_many_from_address";

    /// <summary>Maps a refusal from the room grain to the error the client sees.</summary>
    public static ProtocolError FromStatus(ChatStatus status, ChatLimits limits, string? reference = null) => status switch
    {
        ChatStatus.NotJoined => new(NotJoined, "Join a room first.", reference),
        ChatStatus.AlreadyJoined => new(AlreadyJoined, "This connection has already joined a room.", reference),
        ChatStatus.RoomFull => new(RoomFull, "The room is full.", reference),
        ChatStatus.RoomCreationLimited => new(TooManyNewRooms, "Too many new rooms were created from your address in the last minute; join an existing room or try again later.", reference),
        ChatStatus.TooManyFromAddress => new(TooManyFromAddress, $"Your address already has {limits.MaxParticipantsPerRoomPerAddress} participants in this room.", reference),
        ChatStatus.InvalidRoom => new(InvalidRoom, "Room names are 1-64 letters, digits, '-' or '_'.", reference),
        ChatStatus.NameRequired => new(NameRequired, "Choose a display name.", reference),
        ChatStatus.NameTooLong => new(NameTooLong, $"Display names are at most {limits.MaxNameLength} characters.", reference),
        ChatStatus.NameInvalid => new(NameInvalid, "Display names cannot contain control, direction-changing or invisible characters, and need at least one visible character.", reference),
        ChatStatus.TextRequired => new(TextRequired, "A message needs some text.", reference),
        ChatStatus.TextTooLong => new(TextTooLong, $"Text is limited to {limits.MaxDraftLength} characters.", reference),
        ChatStatus.InvalidMessageId => new(InvalidMessageId, "A message id is 1-64 letters, digits, '-' or '_'.", reference),
        ChatStatus.InvalidSequence => new(InvalidSeq, "seq must be a whole number of at least 0.", reference),
        _ => new(Unavailable, "The request could not be completed; try again.", reference),
    };
}
