using System.Text.RegularExpressions;
using OrleansChat.Unicode;

namespace OrleansChat;

/// <summary>Validation rules shared by the grain (authoritative) and WebFront (early rejection).</summary>
public static partial class ChatValidation
{
    public const int MaxRoomIdLength = 64;
    public const int MaxClientMessageIdLength = 64;
    public const string DefaultRoom = "lobby";

    // \A and \z, not ^ and $: in .NET '$' also matches before a final "\n", so "lobby\n" would pass.
    [GeneratedRegex(@"\A[a-z0-9][a-z0-9_-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoomIdPattern();

    [GeneratedRegex(@"\A[A-Za-z0-9_-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ClientMessageIdPattern();

    /// <summary>Room ids are lower-case letters, digits, '-' and '_', starting with a letter or digit, at most 64 long.</summary>
    public static bool IsValidRoomId(string? roomId) => roomId is not null && RoomIdPattern().IsMatch(roomId);

    /// <summary>Turns what a user typed as a room name into a room id (trimmed, lower case); null when invalid.</summary>
    public static string? NormalizeRoomId(string? room)
    {
        if (string.IsNullOrWhiteSpace(room))
        {
            return null;
        }

        var normalized = room.Trim().ToLowerInvariant();
        return IsValidRoomId(normalized) ? normalized : null;
    }

    public static bool IsValidClientMessageId(string? id) => id is not null && ClientMessageIdPattern().IsMatch(id);

    /// <summary>Connection ids are issued by WebFront; the grain still refuses junk.</summary>
    public static bool IsValidConnectionId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ':' or '.');

    /// <summary>
    /// Normalises a display name (Unicode NFC, trimmed, each run of inner spaces made one U+0020) and returns the
    /// status that says why it is unusable, or Ok; <paramref name="trimmed"/> is the normalised name to store.
    /// The length limit applies to the normalised name. See <see cref="DisplayNameRules"/> for what is refused.
    /// </summary>
    public static ChatStatus CheckDisplayName(string? name, ChatLimits limits, out string trimmed)
    {
        trimmed = string.Empty;
        if (name is null || name.Length == 0)
        {
            return ChatStatus.NameRequired;
        }

        // A lone surrogate cannot be normalised (or shown): refuse it before anything else.
        if (!DisplayNameRules.IsWellFormed(name))
        {
            return ChatStatus.NameInvalid;
        }

        var normalized = DisplayNameRules.CollapseSpaces(Nfc.Normalize(name).Trim());
        if (normalized.Length == 0)
        {
            return ChatStatus.NameRequired;
        }

        trimmed = normalized;
        if (normalized.Length > limits.MaxNameLength)
        {
            return ChatStatus.NameTooLong;
        }

        return DisplayNameRules.IsAcceptable(normalized) ? ChatStatus.Ok : ChatStatus.NameInvalid;
    }

    /// <summary>Checks the text of a draft or a message (a message must also not be blank).</summary>
    public static ChatStatus CheckText(string? text, ChatLimits limits, bool isCommit)
    {
        if (text is null)
        {
            return ChatStatus.TextRequired;
        }

        if (text.Length > limits.MaxDraftLength)
        {
            return ChatStatus.TextTooLong;
        }

        return isCommit && string.IsNullOrWhiteSpace(text) ? ChatStatus.TextRequired : ChatStatus.Ok;
    }
}
