import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chatReducer, connectionStatus, initialChatState, maxMessages, offlineAfterFailures } from "./chatReducer.ts";
import type { ChatAction, ChatState } from "./chatReducer.ts";
import type { ChatMessage, RoomEvent, ServerFrame, WelcomeFrame } from "./protocol.ts";

const me = "c-me";
const bob = "c-bob";
const eve = "c-eve";

function message(seq: number, id: string, connectionId = bob, text = `text ${id}`): ChatMessage {
  const senderName = connectionId === me ? "Ada" : connectionId === bob ? "Bob" : "Eve";
  return { seq, clientMessageId: id, connectionId, senderName, text, sentAt: "2026-11-26T14:00:00+00:00" };
}

function welcome(overrides: Partial<WelcomeFrame> = {}): WelcomeFrame {
  return {
    type: "welcome",
    room: "lobby",
    seq: 10,
    connectionId: me,
    name: "Ada",
    server: "web-1",
    participants: [{ connectionId: me, name: "Ada" }, { connectionId: bob, name: "Bob" }],
    drafts: [{ connectionId: bob, text: "hel", senderSeq: 3 }],
    history: [message(8, "m8"), message(9, "m9", me)],
    moreHistory: false,
    limits: { maxNameLength: 32, maxDraftLength: 500, maxFrameBytes: 16384 },
    ...overrides,
  };
}

const server = (frame: ServerFrame): ChatAction => ({ type: "server", frame });

function run(state: ChatState, ...actions: ChatAction[]): ChatState {
  return actions.reduce(chatReducer, state);
}

function fresh(): ChatState {
  return initialChatState("lobby", "Ada");
}

/** A state that joined (welcome at seq 10). */
function joined(overrides: Partial<WelcomeFrame> = {}): ChatState {
  return run(fresh(), { type: "socketConnecting" }, { type: "socketOpened" }, server(welcome(overrides)));
}

const chunk = (seq: number, connectionId: string, text: string, senderSeq: number): RoomEvent =>
  ({ type: "chunk", seq, connectionId, text, senderSeq });
const commit = (seq: number, m: ChatMessage): RoomEvent => ({ type: "commit", seq, message: m });

describe("welcome", () => {
  test("sets the room state from the snapshot", () => {
    const s = joined();
    assert.equal(s.seq, 10);
    assert.equal(s.socket, "joined");
    assert.deepEqual(s.self, { connectionId: me, name: "Ada" });
    assert.equal(s.server, "web-1");
    assert.deepEqual(s.participants.map((p) => p.name), ["Ada", "Bob"]);
    assert.deepEqual(s.drafts, { [bob]: { text: "hel", senderSeq: 3 } });
    assert.deepEqual(s.messages.map((m) => m.clientMessageId), ["m8", "m9"]);
    assert.equal(s.limits.maxDraftLength, 500);
    assert.equal(s.welcomes, 1);
    assert.deepEqual(s.ownConnectionIds, [me]);
    assert.equal(connectionStatus(s), "live");
  });

  test("replaces everything shown before, nothing twice and nothing missing", () => {
    const before = run(joined(),
      server(commit(11, message(11, "m11"))),
      server({ type: "joined", seq: 12, participant: { connectionId: eve, name: "Eve" } }),
      server(chunk(13, eve, "draft of eve", 1)));
    const after = run(before, { type: "socketClosed" }, { type: "socketConnecting" }, { type: "socketOpened" },
      server(welcome({
        seq: 20,
        connectionId: "c-me-2",
        participants: [{ connectionId: "c-me-2", name: "Ada" }, { connectionId: eve, name: "Eve" }],
        drafts: [],
        history: [message(9, "m9", me), message(11, "m11"), message(15, "m15", eve)],
      })));
    assert.deepEqual(after.messages.map((m) => m.clientMessageId), ["m9", "m11", "m15"]);
    assert.deepEqual(after.participants.map((p) => p.name), ["Ada", "Eve"]);
    assert.deepEqual(after.drafts, {});
    assert.equal(after.seq, 20);
    assert.deepEqual(after.ownConnectionIds, [me, "c-me-2"]);
    assert.equal(after.welcomes, 2);
  });

  test("drops empty drafts and duplicate history entries", () => {
    const s = joined({
      drafts: [{ connectionId: bob, text: "", senderSeq: 4 }],
      history: [message(8, "m8"), message(8, "m8")],
    });
    assert.deepEqual(s.drafts, {});
    assert.equal(s.messages.length, 1);
    // The empty draft's sender seq still counts: an older chunk stays stale.
    assert.deepEqual(run(s, server(chunk(11, bob, "old", 3))).drafts, {});
  });

  test("clears a needed resync", () => {
    const gap = run(joined(), server(chunk(12, bob, "x", 9)));
    assert.equal(gap.needsResync, true);
    const resynced = run(gap, server(welcome({ seq: 12 })));
    assert.equal(resynced.needsResync, false);
    assert.equal(resynced.seq, 12);
  });
});

describe("room sequence", () => {
  test("events in order advance the sequence", () => {
    const s = run(joined(), server(chunk(11, bob, "hell", 4)), server(chunk(12, bob, "hello", 5)));
    assert.equal(s.seq, 12);
    assert.equal(s.drafts[bob]?.text, "hello");
  });

  test("events with seq at or below the last one are ignored", () => {
    const s = run(joined(), server(chunk(11, bob, "hell", 4)));
    const same = run(s,
      server(chunk(11, bob, "replayed", 9)),
      server(chunk(10, bob, "in the welcome", 9)),
      server(commit(7, message(7, "m7"))));
    assert.equal(same, s);
  });

  test("a gap flags needsResync and does not apply the event", () => {
    const s = run(joined(), server(commit(12, message(12, "m12"))));
    assert.equal(s.needsResync, true);
    assert.equal(s.seq, 10);
    assert.equal(s.messages.some((m) => m.clientMessageId === "m12"), false);
  });

  test("after a gap every event waits for the welcome", () => {
    const gap = run(joined(), server(chunk(12, bob, "x", 9)));
    const later = run(gap, server(chunk(13, bob, "y", 10)), server(chunk(11, bob, "z", 8)));
    assert.equal(later, gap);
  });

  test("events before any welcome are ignored", () => {
    const s = run(fresh(), server(chunk(1, bob, "x", 1)));
    assert.deepEqual(s.drafts, {});
    assert.equal(s.seq, null);
  });

  test("a closed socket forgets the sequence until the next welcome", () => {
    const s = run(joined(), { type: "socketClosed" });
    assert.equal(s.seq, null);
    assert.equal(s.socket, "idle");
    assert.deepEqual(run(s, server(chunk(11, bob, "late", 9))).drafts, s.drafts);
  });
});

describe("presence", () => {
  test("joined adds a participant once", () => {
    const eveJoins = { type: "joined", seq: 11, participant: { connectionId: eve, name: "Eve" } } as const;
    const s = run(joined(), server(eveJoins), server({ ...eveJoins, seq: 12 }));
    assert.deepEqual(s.participants.map((p) => p.name), ["Ada", "Bob", "Eve"]);
  });

  test("left removes the participant and its draft", () => {
    const s = run(joined(), server({ type: "left", seq: 11, connectionId: bob }));
    assert.deepEqual(s.participants.map((p) => p.name), ["Ada"]);
    assert.deepEqual(s.drafts, {});
    assert.equal(s.senderSeqs[bob], undefined);
  });
});

describe("drafts", () => {
  test("a chunk sets the sender's whole draft", () => {
    const s = run(joined(), server(chunk(11, bob, "hello wor", 7)), server(chunk(12, eve, "hi", 1)));
    assert.deepEqual(s.drafts, { [bob]: { text: "hello wor", senderSeq: 7 }, [eve]: { text: "hi", senderSeq: 1 } });
  });

  test("a stale chunk by senderSeq is ignored but still advances the room seq", () => {
    const s = run(joined(), server(chunk(11, bob, "hello", 7)), server(chunk(12, bob, "hel", 6)));
    assert.equal(s.drafts[bob]?.text, "hello");
    assert.equal(s.seq, 12);
    const same = run(s, server(chunk(13, bob, "again", 7)));
    assert.equal(same.drafts[bob]?.text, "hello");
  });

  test("an empty chunk removes the draft", () => {
    const s = run(joined(), server(chunk(11, bob, "", 4)));
    assert.deepEqual(s.drafts, {});
  });

  test("cleared removes the draft", () => {
    const s = run(joined(), server({ type: "cleared", seq: 11, connectionId: bob, reason: "cancelled" }));
    assert.deepEqual(s.drafts, {});
  });

  test("a chunk older than a cleared draft does not bring it back", () => {
    const s = run(joined(),
      server(chunk(11, bob, "secret", 5)),
      server({ type: "cleared", seq: 12, connectionId: bob, reason: "cancelled" }),
      server(chunk(13, bob, "secret", 5)));
    assert.deepEqual(s.drafts, {});
  });
});

describe("commits", () => {
  test("a commit appends the message and removes the sender's draft", () => {
    const s = run(joined(), server(commit(11, message(11, "m11", bob, "hello"))));
    assert.deepEqual(s.messages.map((m) => m.text), ["text m8", "text m9", "hello"]);
    assert.deepEqual(s.drafts, {});
  });

  test("a message is appended once, whatever arrives twice", () => {
    const s = run(joined(),
      server(commit(11, message(11, "m11"))),
      server(commit(12, message(11, "m11"))),
      server(commit(13, message(9, "m9", me))));
    assert.deepEqual(s.messages.map((m) => m.clientMessageId), ["m8", "m9", "m11"]);
    assert.equal(s.seq, 13);
  });

  test("an own optimistic message is pending until its commit event, then shown once", () => {
    const queued = run(joined(), { type: "commitQueued", clientMessageId: "mine1", text: "hi all", at: "t" });
    assert.deepEqual(queued.pending.map((p) => [p.clientMessageId, p.status]), [["mine1", "sending"]]);
    const echoed = run(queued, server(commit(11, message(11, "mine1", me, "hi all"))));
    assert.deepEqual(echoed.pending, []);
    assert.equal(echoed.messages.filter((m) => m.clientMessageId === "mine1").length, 1);
  });

  test("queueing the same id twice keeps one pending message", () => {
    const q = { type: "commitQueued", clientMessageId: "mine1", text: "x", at: "t" } as const;
    assert.equal(run(joined(), q, q).pending.length, 1);
  });

  test("a welcome that already has a pending message in its history confirms it", () => {
    const queued = run(joined(),
      { type: "commitQueued", clientMessageId: "mine1", text: "a", at: "t" },
      { type: "commitQueued", clientMessageId: "mine2", text: "b", at: "t" },
      { type: "socketClosed" });
    const s = run(queued, server(welcome({ seq: 30, history: [message(25, "mine1", me, "a")] })));
    assert.deepEqual(s.pending.map((p) => p.clientMessageId), ["mine2"]);
    assert.deepEqual(s.messages.map((m) => m.clientMessageId), ["mine1"]);
  });

  test("a refused commit is marked failed; retry and discard", () => {
    const queued = run(joined(), { type: "commitQueued", clientMessageId: "mine1", text: "x", at: "t" });
    const refused = run(queued, server({ type: "error", code: "text_too_long", message: "Too long.", ref: "mine1" }));
    assert.equal(refused.pending[0]?.status, "failed");
    assert.equal(refused.pending[0]?.error, "Too long.");
    assert.equal(run(refused, { type: "commitRetried", clientMessageId: "mine1" }).pending[0]?.status, "sending");
    assert.deepEqual(run(refused, { type: "commitDiscarded", clientMessageId: "mine1" }).pending, []);
  });

  test("a commit refused for a passing reason stays pending (the hook retries it)", () => {
    const queued = run(joined(), { type: "commitQueued", clientMessageId: "mine1", text: "x", at: "t" });
    const s = run(queued, server({ type: "error", code: "unavailable", message: "Try again.", ref: "mine1" }));
    assert.equal(s.pending[0]?.status, "sending");
    assert.equal(s.errors.length, 1);
  });

  test("the log keeps at most maxMessages", () => {
    let s = joined({ history: [] });
    for (let i = 1; i <= maxMessages + 5; i += 1) s = run(s, server(commit(10 + i, message(10 + i, `m${i}`))));
    assert.equal(s.messages.length, maxMessages);
    assert.equal(s.messages[0]?.clientMessageId, "m6");
    assert.equal(s.moreHistory, true, "what was pushed out can be loaded again");
  });

  test("committed (a retry the room had stored) confirms the pending message and shows it in seq order", () => {
    const queued = run(joined({ history: [message(5, "m5"), message(9, "m9")] }),
      { type: "commitQueued", clientMessageId: "mine1", text: "again", at: "t" });
    const s = run(queued, server({ type: "committed", message: message(7, "mine1", me, "again") }));
    assert.deepEqual(s.pending, []);
    assert.deepEqual(s.messages.map((m) => m.clientMessageId), ["m5", "mine1", "m9"]);
    assert.equal(s.seq, 10, "not a room event");
    const twice = run(s, server({ type: "committed", message: message(7, "mine1", me, "again") }));
    assert.equal(twice.messages.length, 3);
  });

  test("committed older than everything shown, with older messages kept, only confirms (scrolling back shows it)", () => {
    const queued = run(joined({ history: [message(50, "m50")], moreHistory: true }),
      { type: "commitQueued", clientMessageId: "mine1", text: "old", at: "t" });
    const s = run(queued, server({ type: "committed", message: message(3, "mine1", me, "old") }));
    assert.deepEqual(s.pending, []);
    assert.deepEqual(s.messages.map((m) => m.clientMessageId), ["m50"]);
  });
});

describe("scrollback", () => {
  const page = (before: number, from: number, to: number, more: boolean): ServerFrame => ({
    type: "history", before, more,
    messages: Array.from({ length: to - from + 1 }, (_, i) => message(from + i, `m${from + i}`)),
  });
  const older = (): ChatState => joined({ history: [message(50, "m50"), message(51, "m51")], moreHistory: true, seq: 60 });

  test("the welcome says whether older messages are kept", () => {
    assert.equal(older().moreHistory, true);
    assert.equal(joined().moreHistory, false);
  });

  test("a page is shown before the oldest message and says whether there is more", () => {
    const asked = run(older(), { type: "historyRequested", before: 50 });
    assert.equal(asked.historyRequest, 50);
    const s = run(asked, server(page(50, 40, 49, true)));
    assert.deepEqual(s.messages.map((m) => m.seq), [40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51]);
    assert.equal(s.moreHistory, true);
    assert.equal(s.historyRequest, null);
    const start = run(s, { type: "historyRequested", before: 40 }, server(page(40, 1, 39, false)));
    assert.equal(start.messages.length, 51);
    assert.equal(start.messages[0]?.seq, 1);
    assert.equal(start.moreHistory, false);
    assert.equal(start.seq, 60, "not a room event");
  });

  test("a page nobody asked for, or for what is no longer shown, changes nothing", () => {
    assert.equal(run(older(), server(page(50, 40, 49, true))).messages.length, 2);
    const asked = run(older(), { type: "historyRequested", before: 50 });
    assert.equal(run(asked, server(page(30, 20, 29, true))).messages.length, 2);
    const replaced = run(asked, { type: "socketClosed" },
      server(welcome({ seq: 70, history: [message(65, "m65")], moreHistory: true })));
    assert.equal(replaced.historyRequest, null);
    assert.deepEqual(run(replaced, server(page(50, 40, 49, true))).messages.map((m) => m.seq), [65]);
  });

  test("messages already shown or not older than asked are not added twice", () => {
    const s = run(older(), { type: "historyRequested", before: 50 },
      server({ type: "history", before: 50, more: true, messages: [message(49, "m49"), message(50, "m50"), message(51, "m51"), message(49, "m49")] }));
    assert.deepEqual(s.messages.map((m) => m.seq), [49, 50, 51]);
  });

  test("an empty page ends the scrollback (asking again would get the same answer)", () => {
    const s = run(older(), { type: "historyRequested", before: 50 }, server(page(50, 1, 0, true)));
    assert.equal(s.moreHistory, false);
  });

  test("an error for a history request is shown with the scrollback, not as an alert, and ends loading", () => {
    const s = run(older(), { type: "historyRequested", before: 50 },
      server({ type: "error", code: "rate_limited", message: "Slow down.", ref: "history" }));
    assert.equal(s.historyRequest, null);
    assert.match(s.historyError ?? "", /too often/);
    assert.deepEqual(s.errors, []);
    assert.equal(run(s, { type: "historyRequested", before: 50 }).historyError, null);
  });

  test("a request that is not answered in time ends loading with a reason; a late timer for another changes nothing", () => {
    const asked = run(older(), { type: "historyRequested", before: 50 });
    assert.equal(run(asked, { type: "historyTimedOut", before: 40 }).historyRequest, 50);
    const s = run(asked, { type: "historyTimedOut", before: 50 });
    assert.equal(s.historyRequest, null);
    assert.match(s.historyError ?? "", /in time/);
  });

  test("the socket closing ends the request (its answer would come on that socket)", () => {
    assert.equal(run(older(), { type: "historyRequested", before: 50 }, { type: "socketClosed" }).historyRequest, null);
  });

  test("a reconnect's welcome keeps the older pages loaded when its oldest message is among them", () => {
    const loaded = run(older(), { type: "historyRequested", before: 50 }, server(page(50, 30, 49, true)));
    const s = run(loaded, { type: "socketClosed" }, server(welcome({
      seq: 80, history: [message(45, "m45"), message(50, "m50"), message(51, "m51"), message(70, "m70")], moreHistory: true,
    })));
    assert.deepEqual(s.messages.map((m) => m.seq), [30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 50, 51, 70],
      "the welcome is the truth from its oldest message on; what this tab loaded before that stays");
    assert.equal(s.moreHistory, true);
  });

  test("a welcome whose oldest message is not shown replaces everything", () => {
    const loaded = run(older(), { type: "historyRequested", before: 50 }, server(page(50, 30, 49, false)));
    assert.equal(loaded.moreHistory, false);
    const s = run(loaded, server(welcome({ seq: 90, history: [message(88, "m88")], moreHistory: true })));
    assert.deepEqual(s.messages.map((m) => m.seq), [88]);
    assert.equal(s.moreHistory, true);
  });

  test("scrolling back stops at maxMessages", () => {
    let s = joined({ history: [message(maxMessages * 2, "last")], moreHistory: true, seq: maxMessages * 2 });
    let before = maxMessages * 2;
    while (s.moreHistory && s.messages.length < maxMessages) {
      const from = Math.max(1, before - 1000);
      s = run(s, { type: "historyRequested", before }, server(page(before, from, before - 1, from > 1)));
      before = from;
    }
    assert.equal(s.messages.length, maxMessages);
    assert.equal(s.moreHistory, true);
  });
});

describe("errors", () => {
  test("an error frame is kept in words until dismissed", () => {
    const s = run(joined(), server({ type: "error", code: "text_too_long", message: "Text is limited.", ref: null }));
    assert.deepEqual(s.errors.map((e) => [e.code, e.message]), [["text_too_long", "Text is limited."]]);
    const id = s.errors[0]?.id ?? -1;
    assert.deepEqual(run(s, { type: "errorDismissed", id }).errors, []);
  });

  test("an error without a message gets words from its code", () => {
    const s = run(joined(), server({ type: "error", code: "rate_limited", message: "", ref: null }));
    assert.match(s.errors[0]?.message ?? "", /faster/);
  });

  test("the same error again is counted, not stacked", () => {
    const e = server({ type: "error", code: "rate_limited", message: "Slow down.", ref: null });
    const s = run(joined(), e, e, e);
    assert.equal(s.errors.length, 1);
    assert.equal(s.errors[0]?.count, 3);
  });

  test("a refused name brings the name form back; a new session clears it", () => {
    const s = run(fresh(), server({ type: "error", code: "name_invalid", message: "Bad name.", ref: null }));
    assert.equal(s.nameRejected, true);
    assert.equal(connectionStatus(s), "offline");
    const again = run(s, { type: "sessionStarted", room: "lobby", name: "Ada2" });
    assert.equal(again.nameRejected, false);
    assert.equal(again.name, "Ada2");
  });

  test("client-side errors are shown too", () => {
    const s = run(fresh(), { type: "errorRaised", code: "closed_1009", message: "Too large." });
    assert.equal(s.errors[0]?.message, "Too large.");
  });
});

describe("connection status", () => {
  test("connecting, then live, then reconnecting, then offline after many failures", () => {
    let s = run(fresh(), { type: "socketConnecting" });
    assert.equal(connectionStatus(s), "connecting");
    s = run(s, { type: "socketOpened" });
    assert.equal(connectionStatus(s), "connecting");
    s = run(s, server(welcome()));
    assert.equal(connectionStatus(s), "live");
    s = run(s, { type: "socketClosed" }, { type: "socketConnecting" });
    assert.equal(connectionStatus(s), "reconnecting");
    for (let i = 0; i < offlineAfterFailures; i += 1) s = run(s, { type: "socketClosed" }, { type: "socketConnecting" });
    assert.equal(connectionStatus(s), "offline");
    s = run(s, { type: "socketOpened" }, server(welcome({ seq: 50 })));
    assert.equal(connectionStatus(s), "live");
    assert.equal(s.failures, 0);
  });

  test("a first connection that keeps failing says reconnecting", () => {
    const s = run(fresh(), { type: "socketConnecting" }, { type: "socketClosed" }, { type: "socketConnecting" });
    assert.equal(connectionStatus(s), "reconnecting");
  });

  test("the browser going offline says offline at once", () => {
    const s = run(joined(), { type: "networkChanged", online: false });
    assert.equal(connectionStatus(s), "offline");
    assert.equal(connectionStatus(run(s, { type: "networkChanged", online: true })), "live");
  });

  test("no name yet means offline (nothing to connect with)", () => {
    assert.equal(connectionStatus(initialChatState("lobby", null)), "offline");
  });
});

describe("sessions", () => {
  test("another room starts from nothing, unsent messages included", () => {
    const s = run(joined(), { type: "commitQueued", clientMessageId: "mine1", text: "x", at: "t" },
      { type: "sessionStarted", room: "team", name: "Ada" });
    assert.equal(s.room, "team");
    assert.deepEqual(s.messages, []);
    assert.deepEqual(s.pending, []);
    assert.deepEqual(s.participants, []);
    assert.equal(s.seq, null);
  });

  test("the same room with a new name keeps what is shown and what is unsent", () => {
    const s = run(joined(), { type: "commitQueued", clientMessageId: "mine1", text: "x", at: "t" },
      { type: "sessionStarted", room: "lobby", name: "Ada Lovelace" });
    assert.equal(s.messages.length, 2);
    assert.equal(s.pending.length, 1);
    assert.equal(s.seq, null);
    assert.equal(s.name, "Ada Lovelace");
  });
});
