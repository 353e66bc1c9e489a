using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Browser.Tests;

/// <summary>
/// One browser tab of the chat, seen only through the client's accessibility contract (roles and labels), the
/// way a screen reader or a person would find things.
/// </summary>
public sealed class ChatPage(IPage page, string name, string label)
{
    public IPage Page { get; } = page;

    /// <summary>The display name this tab joined with.</summary>
    public string Name { get; } = name;

    /// <summary>A short name for screenshots and logs ("alice").</summary>
    public string Label { get; } = label;

    public ILocator NameForm => Page.GetByRole(AriaRole.Form, new() { Name = "Choose a name", Exact = true });

    public ILocator Status => Page.GetByRole(AriaRole.Status, new() { Name = "Connection status", Exact = true });

    public ILocator Participants =>
        Page.GetByRole(AriaRole.List, new() { Name = "Participants", Exact = true }).GetByRole(AriaRole.Listitem);

    public ILocator MessageLog => Page.GetByRole(AriaRole.List, new() { Name = "Messages", Exact = true });

    public ILocator Messages => MessageLog.GetByRole(AriaRole.Listitem);

    /// <summary>The scrolling part of the log (messages and the scrollback row above them).</summary>
    public ILocator LogScroller => Page.GetByRole(AriaRole.Region, new() { Name = "Message history", Exact = true });

    /// <summary>"Loading older messages…", while a page of older messages is on its way.</summary>
    public ILocator HistoryLoading => Page.GetByTestId("history-loading");

    /// <summary>"This is the start of the conversation": nothing older is kept.</summary>
    public ILocator HistoryStart => Page.GetByTestId("history-start");

    /// <summary>The button that loads older messages (scrolling to the top does the same).</summary>
    public ILocator LoadOlder => Page.GetByTestId("load-older");

    public ILocator DraftPanel => Page.GetByRole(AriaRole.Region, new() { Name = "Live drafts", Exact = true });

    public ILocator Drafts => DraftPanel.Locator("li");

    public ILocator Composer => Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });

    public ILocator SendButton => Page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true });

    /// <summary>The live draft of another participant, found by its "&lt;name&gt; is typing" text.</summary>
    public ILocator DraftOf(string participant) => Drafts.Filter(new() { HasText = participant + " is typing" });

    public ILocator DraftTextOf(string participant) => DraftOf(participant).Locator(".draft-text");

    public ILocator MessagesContaining(string text) => Messages.Filter(new() { HasText = text });

    public ILocator ParticipantNamed(string participant) => Participants.Filter(new() { HasText = participant });

    /// <summary>Opens <paramref name="url"/>, fills the name form and waits until the connection is live.</summary>
    public async Task JoinAsync(string url)
    {
        await Page.GotoAsync(url);
        await NameForm.GetByRole(AriaRole.Textbox, new() { Name = "Display name", Exact = true }).FillAsync(Name);
        await NameForm.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
        await Expect(Status).ToHaveTextAsync("Live");
        await Expect(ParticipantNamed(Name)).ToHaveCountAsync(1);
    }

    /// <summary>Types into the composer key by key, as a person would.</summary>
    public Task TypeAsync(string text) => Composer.PressSequentiallyAsync(text);

    /// <summary>Types a message and presses Enter.</summary>
    public async Task SendAsync(string text)
    {
        await TypeAsync(text);
        await Composer.PressAsync("Enter");
    }

    /// <summary>Waits until the other participant's draft, exactly as typed (no trimming), shows in this tab.</summary>
    public Task ExpectDraftAsync(string participant, string text) =>
        Expect(DraftTextOf(participant)).ToHaveJSPropertyAsync("textContent", text);
}
