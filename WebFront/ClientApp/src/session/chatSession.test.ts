import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { connectionStatus, offlineAfterFailures } from "./chatReducer.ts";
import { ChatSession, chunkIntervalMs, commitRetryMs, historyTimeoutMs, stableConnectionMs } from "./chatSession.ts";
import type { SessionEnvironment } from "./chatSession.ts";
import type { ChatMessage, WelcomeFrame } from "./protocol.ts";
import { FakeClock, FakeSocket } from "./testing/fakes.ts";

function setup(options: { online?: boolean } = {}) {
  const clock = new FakeClock();
  const sockets: FakeSocket[] = [];
  let ids = 0;
  let online = options.online ?? true;
  const warnings: string[] = [];
  const env: SessionEnvironment = {
    openSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    clock,
    random: () => 1, // no jitter: delays are their upper bound
    isOnline: () => online,
    newMessageId: () => `id${++ids}`,
    now: () => new Date("2026-11-26T14:00:00Z"),
    warn: (message) => warnings.push(message),
  };
  const session = new ChatSession("lobby", "Ada", env);
  return {
    clock, sockets, session, warnings,
    setOnline(value: boolean) {
      online = value;
      session.setOnline(value);
    },
    get socket(): FakeSocket {
      const last = sockets[sockets.length - 1];
      if (last === undefined) throw new Error("no socket was opened");
      return last;
    },
    get state() {
      return session.getState();
    },
    get status() {
      return connectionStatus(session.getState());
    },
  };
}

function welcome(connectionId: string, seq: number, overrides: Partial<WelcomeFrame> = {}): WelcomeFrame {
  return {
    type: "welcome", room: "lobby", seq, connectionId, name: "Ada", server: "web-1",
    participants: [{ connectionId, name: "Ada" }, { connectionId: "bob", name: "Bob" }],
    drafts: [], history: [], moreHistory: false, limits: { maxNameLength: 32, maxDraftLength: 4000, maxFrameBytes: 16384 },
    ...overrides,
  };
}

const message = (seq: number, id: string, connectionId: string, text: string): ChatMessage =>
  ({ seq, clientMessageId: id, connectionId, senderName: "Ada", text, sentAt: "2026-11-26T14:00:00+00:00" });

/** Starts a session and lets it join: socket open, join sent, welcome received. */
function live(seq = 10) {
  const t = setup();
  t.session.start("lobby", "Ada");
  t.socket.open();
  t.socket.receive(welcome("me-1", seq));
  return t;
}

describe("ChatSession: joining", () => {
  test("opens a socket, sends join with the room and name, and is live after the welcome", () => {
    const t = setup();
    t.session.start("team", "Ada");
    assert.equal(t.status, "connecting");
    t.socket.open();
    assert.deepEqual(t.socket.sent, [{ type: "join", room: "team", name: "Ada" }]);
    assert.equal(t.status, "connecting");
    t.socket.receive(welcome("me-1", 5, { room: "team" }));
    assert.equal(t.status, "live");
    assert.equal(t.state.self?.connectionId, "me-1");
  });

  test("without a name nothing connects", () => {
    const t = setup();
    t.session.start("lobby", null);
    assert.equal(t.sockets.length, 0);
    assert.equal(t.status, "offline");
  });

  test("a refused name brings the form back and stops reconnecting until a new name", () => {
    const t = setup();
    t.session.start("lobby", "x".repeat(40));
    t.socket.open();
    t.socket.receive({ type: "error", code: "name_too_long", message: "Display names are at most 32 characters." });
    assert.equal(t.state.nameRejected, true);
    assert.equal(t.socket.closedWith, 1000);
    assert.equal(t.state.errors[0]?.message, "Display names are at most 32 characters.");
    t.clock.advance(60_000);
    assert.equal(t.sockets.length, 1);
    t.session.start("lobby", "Ada");
    assert.equal(t.sockets.length, 2);
    assert.equal(t.state.nameRejected, false);
  });

  test("a failed join (room full) is shown and retried on a new socket", () => {
    const t = setup();
    t.session.start("lobby", "Ada");
    t.socket.open();
    t.socket.receive({ type: "error", code: "room_full", message: "This room is full." });
    assert.equal(t.socket.closedWith, 1000);
    t.socket.drop(1000);
    assert.equal(t.state.errors[0]?.code, "room_full");
    t.clock.advance(250);
    assert.equal(t.sockets.length, 2);
  });

  test("frames it does not understand are ignored, with a warning", () => {
    const t = live();
    const before = t.state;
    t.socket.receiveRaw("not json");
    t.socket.receive({ type: "shrug" });
    assert.equal(t.state, before);
    assert.equal(t.warnings.length, 2);
  });
});

describe("ChatSession: live typing", () => {
  test("chunks are coalesced and their seq grows across drafts", () => {
    const t = live();
    t.session.sendChunk("h");
    t.session.sendChunk("he");
    t.session.sendChunk("hel");
    t.clock.advance(chunkIntervalMs);
    t.session.commitMessage("hel");
    t.session.sendChunk("n");
    t.clock.advance(chunkIntervalMs);
    const chunks = t.socket.framesOf("chunk");
    assert.deepEqual(chunks.map((c) => c.text), ["h", "hel", "n"]);
    const seqs = chunks.map((c) => c.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal(new Set(seqs).size, seqs.length);
  });

  test("a commit drops a chunk still waiting, so the draft does not come back", () => {
    const t = live();
    t.session.sendChunk("hello");
    t.session.sendChunk("hello world");
    t.session.commitMessage("hello world");
    t.clock.advance(1000);
    assert.deepEqual(t.socket.sent.slice(1).map((f) => f.type), ["chunk", "commit"]);
  });

  test("Esc: cancel drops a waiting chunk and tells the server", () => {
    const t = live();
    t.session.sendChunk("oops");
    t.session.sendChunk("oops!");
    t.session.cancelDraft();
    t.clock.advance(1000);
    assert.deepEqual(t.socket.sent.slice(1).map((f) => f.type), ["chunk", "cancel"]);
  });

  test("the sender seq keeps growing on a new connection", () => {
    const t = live();
    t.session.sendChunk("a");
    const first = t.socket.framesOf("chunk")[0]?.seq ?? -1;
    t.socket.drop();
    t.clock.advance(250);
    t.socket.open();
    t.socket.receive(welcome("me-2", 20));
    t.session.sendChunk("ab");
    const second = t.socket.framesOf("chunk")[0]?.seq ?? -1;
    assert.ok(second > first, `${second} > ${first}`);
  });
});

describe("ChatSession: commits", () => {
  test("a commit is pending until its commit event, then one message", () => {
    const t = live();
    t.session.commitMessage("hello all");
    assert.deepEqual(t.socket.framesOf("commit"), [{ type: "commit", text: "hello all", id: "id1" }]);
    assert.equal(t.state.pending.length, 1);
    t.socket.receive({ type: "commit", seq: 11, message: message(11, "id1", "me-1", "hello all") });
    assert.equal(t.state.pending.length, 0);
    assert.deepEqual(t.state.messages.map((m) => m.text), ["hello all"]);
  });

  test("blank text is not committed", () => {
    const t = live();
    t.session.commitMessage("   \n");
    assert.equal(t.socket.framesOf("commit").length, 0);
    assert.equal(t.state.pending.length, 0);
  });

  test("pending commits and the draft are re-sent after reconnecting, with the same id", () => {
    const t = live();
    t.session.commitMessage("sent before the drop");
    t.socket.drop();
    assert.equal(t.status, "reconnecting");
    t.session.commitMessage("sent while offline");
    t.session.sendChunk("typed while offline");
    t.clock.advance(250);
    assert.equal(t.sockets.length, 2);
    t.socket.open();
    assert.deepEqual(t.socket.sent, [{ type: "join", room: "lobby", name: "Ada" }]);
    t.socket.receive(welcome("me-2", 30));
    assert.deepEqual(t.socket.framesOf("commit").map((c) => c.id), ["id1", "id2"]);
    assert.deepEqual(t.socket.framesOf("chunk").map((c) => c.text), ["typed while offline"]);
  });

  test("a pending commit already in the welcome's history is confirmed, not re-sent", () => {
    const t = live();
    t.session.commitMessage("made it");
    t.socket.drop();
    t.clock.advance(250);
    t.socket.open();
    t.socket.receive(welcome("me-2", 30, { history: [message(25, "id1", "me-1", "made it")] }));
    assert.equal(t.socket.framesOf("commit").length, 0);
    assert.equal(t.state.pending.length, 0);
    assert.equal(t.state.messages.length, 1);
  });

  test("a commit the room could not take (unavailable) is sent again later", () => {
    const t = live();
    t.session.commitMessage("retry me");
    t.socket.receive({ type: "error", code: "unavailable", message: "The room did not answer.", ref: "id1" });
    assert.equal(t.socket.framesOf("commit").length, 1);
    t.clock.advance(2 * commitRetryMs);
    assert.deepEqual(t.socket.framesOf("commit").map((c) => c.id), ["id1", "id1"]);
    assert.equal(t.state.errors.length, 1);
  });

  test("a refused commit waits for the user: retry sends it again", () => {
    const t = live();
    t.session.commitMessage("x");
    t.socket.receive({ type: "error", code: "text_too_long", message: "Too long.", ref: "id1" });
    assert.equal(t.state.pending[0]?.status, "failed");
    t.clock.advance(60_000);
    assert.equal(t.socket.framesOf("commit").length, 1);
    t.session.retryMessage("id1");
    assert.equal(t.socket.framesOf("commit").length, 2);
    assert.equal(t.state.pending[0]?.status, "sending");
  });
});

describe("ChatSession: scrollback", () => {
  const page = (before: number, from: number, to: number, more: boolean) => ({
    type: "history" as const, before, more,
    messages: Array.from({ length: to - from + 1 }, (_, i) => message(from + i, `h${from + i}`, "bob", `old ${from + i}`)),
  });

  function withOlder() {
    const t = setup();
    t.session.start("lobby", "Ada");
    t.socket.open();
    t.socket.receive(welcome("me-1", 200, { history: [message(150, "m150", "bob", "newest")], moreHistory: true }));
    return t;
  }

  test("loading older asks for the page before the oldest message, once at a time", () => {
    const t = withOlder();
    t.session.loadOlder();
    t.session.loadOlder();
    assert.deepEqual(t.socket.framesOf("history"), [{ type: "history", before: 150, limit: 50 }]);
    assert.equal(t.state.historyRequest, 150);
    t.socket.receive(page(150, 100, 149, true));
    assert.equal(t.state.messages.length, 51);
    t.session.loadOlder();
    assert.deepEqual(t.socket.framesOf("history").map((f) => f.before), [150, 100]);
    t.socket.receive(page(100, 1, 99, false));
    assert.equal(t.state.moreHistory, false);
    t.session.loadOlder();
    assert.equal(t.socket.framesOf("history").length, 2, "nothing older is kept: nothing to ask for");
  });

  test("nothing is asked for when the room keeps nothing older, or before joining", () => {
    const t = live();
    t.session.loadOlder();
    assert.equal(t.socket.framesOf("history").length, 0);
    const u = setup();
    u.session.start("lobby", "Ada");
    u.socket.open();
    u.session.loadOlder();
    assert.deepEqual(u.socket.sent.map((f) => f.type), ["join"]);
  });

  test("a request without an answer stops loading after a while and can be made again", () => {
    const t = withOlder();
    t.session.loadOlder();
    t.clock.advance(historyTimeoutMs - 1);
    assert.equal(t.state.historyRequest, 150);
    t.clock.advance(1);
    assert.equal(t.state.historyRequest, null);
    assert.notEqual(t.state.historyError, null);
    t.session.loadOlder();
    assert.equal(t.socket.framesOf("history").length, 2);
    assert.equal(t.state.historyError, null);
  });

  test("an answer stops the timer", () => {
    const t = withOlder();
    t.session.loadOlder();
    t.socket.receive(page(150, 100, 149, true));
    t.clock.advance(historyTimeoutMs * 2);
    assert.equal(t.state.historyError, null);
  });

  test("a retried commit answered committed is confirmed without waiting for a commit event", () => {
    const t = live();
    t.session.commitMessage("hello");
    t.socket.drop();
    t.clock.advance(10_000);
    t.socket.open();
    t.socket.receive(welcome("me-2", 20));
    assert.equal(t.socket.framesOf("commit").length, 1, "re-sent after the welcome");
    t.socket.receive({ type: "committed", message: message(12, "id1", "me-1", "hello") });
    assert.deepEqual(t.state.pending, []);
    assert.deepEqual(t.state.messages.map((m) => m.text), ["hello"]);
  });
});

describe("ChatSession: room sequence", () => {
  test("a gap sends one resync; the welcome that answers it replaces the state", () => {
    const t = live(10);
    t.socket.receive({ type: "chunk", seq: 11, connectionId: "bob", text: "a", senderSeq: 1 });
    t.socket.receive({ type: "chunk", seq: 13, connectionId: "bob", text: "abc", senderSeq: 3 });
    t.socket.receive({ type: "chunk", seq: 14, connectionId: "bob", text: "abcd", senderSeq: 4 });
    assert.deepEqual(t.socket.framesOf("resync"), [{ type: "resync" }]);
    assert.equal(t.state.drafts["bob"]?.text, "a");
    t.socket.receive(welcome("me-1", 14, { drafts: [{ connectionId: "bob", text: "abcd", senderSeq: 4 }] }));
    assert.equal(t.state.needsResync, false);
    assert.equal(t.state.drafts["bob"]?.text, "abcd");
    t.socket.receive({ type: "chunk", seq: 16, connectionId: "bob", text: "abcdef", senderSeq: 6 });
    assert.equal(t.socket.framesOf("resync").length, 2);
  });
});

describe("ChatSession: reconnecting", () => {
  test("backs off 250 ms doubling to 10 s, and says offline after many failures", () => {
    const t = live();
    t.socket.drop();
    const delays: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const due = t.clock.nextDueIn() ?? -1;
      delays.push(due);
      t.clock.advance(due);
      t.socket.drop(); // the attempt fails
    }
    assert.deepEqual(delays, [250, 500, 1000, 2000, 4000, 8000, 10000, 10000]);
    assert.ok(t.state.failures >= offlineAfterFailures);
    assert.equal(t.status, "offline");
    t.clock.advance(t.clock.nextDueIn() ?? 0);
    t.socket.open();
    t.socket.receive(welcome("me-9", 50));
    assert.equal(t.status, "live");
  });

  test("a connection that stayed up a while starts the backoff again", () => {
    const t = live();
    t.socket.drop();
    t.clock.advance(250);
    t.socket.drop();
    t.clock.advance(500);
    t.socket.open();
    t.socket.receive(welcome("me-2", 20));
    t.clock.advance(stableConnectionMs);
    t.socket.drop();
    assert.equal(t.clock.nextDueIn(), 250);
  });

  test("the network coming back reconnects at once", () => {
    const t = live();
    t.setOnline(false);
    assert.equal(t.status, "offline");
    t.socket.drop();
    t.clock.advance(100);
    assert.equal(t.sockets.length, 1);
    t.setOnline(true);
    assert.equal(t.sockets.length, 2);
    assert.equal(t.status, "reconnecting");
  });

  test("a server going away is reconnected to at once, without an alert", () => {
    const t = live();
    t.socket.drop(); // one failure: the next wait would be longer
    t.clock.advance(250);
    t.socket.open();
    t.socket.receive(welcome("me-2", 20));
    t.socket.receive({ type: "goingAway", message: "This server is restarting." });
    t.socket.drop(1012);
    assert.equal(t.clock.nextDueIn(), 250);
    assert.deepEqual(t.state.errors, []);
    assert.equal(t.status, "reconnecting");
  });

  test("a close for abuse is explained", () => {
    const t = live();
    t.socket.drop(1009);
    assert.match(t.state.errors[0]?.message ?? "", /too large/);
  });

  test("stop closes the socket and never reconnects", () => {
    const t = live();
    t.session.sendChunk("a");
    t.session.sendChunk("ab");
    t.session.stop();
    assert.equal(t.socket.closedWith, 1000);
    t.socket.drop(1000);
    t.clock.advance(60_000);
    assert.equal(t.sockets.length, 1);
    assert.equal(t.clock.pendingTimers, 0);
  });

  test("events of a replaced socket are ignored", () => {
    const t = live();
    const old = t.socket;
    t.session.start("lobby", "Ada Lovelace");
    old.receive({ type: "chunk", seq: 11, connectionId: "bob", text: "late", senderSeq: 1 });
    assert.deepEqual(t.state.drafts, {});
    assert.equal(t.sockets.length, 2);
  });

  test("another room starts from nothing", () => {
    const t = live();
    t.session.commitMessage("for the lobby only");
    t.session.start("team", "Ada");
    t.socket.open();
    assert.deepEqual(t.socket.sent, [{ type: "join", room: "team", name: "Ada" }]);
    t.socket.receive(welcome("me-2", 3, { room: "team" }));
    assert.equal(t.socket.framesOf("commit").length, 0);
    assert.equal(t.state.room, "team");
  });
});
