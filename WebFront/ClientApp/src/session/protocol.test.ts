import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultLimits, newClientMessageId, parseServerFrame } from "./protocol.ts";

test("parses the protocol document's frames", () => {
  const welcome = parseServerFrame(JSON.stringify({
    type: "welcome", room: "lobby", seq: 42, connectionId: "9b1c", name: "Ada", server: "web-1-1234",
    participants: [{ connectionId: "9b1c", name: "Ada" }],
    drafts: [{ connectionId: "77aa", text: "typing…", senderSeq: 5 }],
    history: [{ seq: 40, clientMessageId: "3f2a", connectionId: "77aa", senderName: "Bob", text: "hi",
      sentAt: "2026-11-26T14:00:00+00:00" }],
    limits: { maxNameLength: 32, maxDraftLength: 4000, maxFrameBytes: 16384 },
    extra: "ignored",
  }));
  assert.equal(welcome?.type, "welcome");
  assert.deepEqual(parseServerFrame('{"type":"joined","seq":43,"participant":{"connectionId":"77aa","name":"Bob"}}'),
    { type: "joined", seq: 43, participant: { connectionId: "77aa", name: "Bob" } });
  assert.deepEqual(parseServerFrame('{"type":"left","seq":44,"connectionId":"77aa"}'),
    { type: "left", seq: 44, connectionId: "77aa" });
  assert.deepEqual(parseServerFrame('{"type":"chunk","seq":45,"connectionId":"77aa","text":"Hello wor","senderSeq":17}'),
    { type: "chunk", seq: 45, connectionId: "77aa", text: "Hello wor", senderSeq: 17 });
  assert.deepEqual(parseServerFrame('{"type":"cleared","seq":46,"connectionId":"77aa","reason":"cancelled"}'),
    { type: "cleared", seq: 46, connectionId: "77aa", reason: "cancelled" });
  assert.equal(parseServerFrame(JSON.stringify({ type: "commit", seq: 47, message: { seq: 47, clientMessageId: "3f2a",
    connectionId: "77aa", senderName: "Bob", text: "Hello world", sentAt: "2026-11-26T14:00:01.5+00:00" } }))?.type, "commit");
  assert.deepEqual(parseServerFrame('{"type":"error","code":"text_too_long","message":"Too long.","ref":"3f2a"}'),
    { type: "error", code: "text_too_long", message: "Too long.", ref: "3f2a" });
});

test("scrollback: moreHistory on the welcome, the history answer and committed", () => {
  const message = { seq: 70, clientMessageId: "a1", connectionId: "77aa", senderName: "Bob", text: "older",
    sentAt: "2026-11-26T13:00:00+00:00" };
  const welcome = parseServerFrame(JSON.stringify({ type: "welcome", room: "r", seq: 1, connectionId: "c", name: "n",
    participants: [], drafts: [], history: [message], moreHistory: true }));
  assert.equal(welcome?.type === "welcome" ? welcome.moreHistory : null, true);
  const older = parseServerFrame(JSON.stringify({ type: "welcome", room: "r", seq: 1, connectionId: "c", name: "n",
    participants: [], drafts: [], history: [] }));
  assert.equal(older?.type === "welcome" ? older.moreHistory : null, false, "a server without scrollback has none");
  assert.deepEqual(parseServerFrame(JSON.stringify({ type: "history", before: 120, messages: [message], more: true })),
    { type: "history", before: 120, messages: [message], more: true });
  assert.deepEqual(parseServerFrame(JSON.stringify({ type: "history", before: 120, messages: [] })),
    { type: "history", before: 120, messages: [], more: false });
  assert.deepEqual(parseServerFrame(JSON.stringify({ type: "committed", message })), { type: "committed", message });
  for (const bad of ['{"type":"history","messages":[]}', '{"type":"history","before":1,"messages":[{"seq":1}]}',
    '{"type":"committed"}', '{"type":"committed","message":{"seq":"1"}}']) {
    assert.equal(parseServerFrame(bad), null, bad);
  }
});

test("goingAway: the server is shutting down", () => {
  assert.deepEqual(parseServerFrame('{"type":"goingAway","message":"Restarting."}'), { type: "goingAway", message: "Restarting." });
});

test("a welcome without limits gets the defaults", () => {
  const w = parseServerFrame(JSON.stringify({ type: "welcome", room: "r", seq: 1, connectionId: "c", name: "n",
    participants: [], drafts: [], history: [] }));
  assert.deepEqual(w?.type === "welcome" ? w.limits : null, defaultLimits);
});

test("rejects what it does not understand", () => {
  for (const bad of ["not json", "[]", "null", '{"seq":1}', '{"type":"shrug"}', '{"type":"chunk","seq":"1"}',
    '{"type":"chunk","seq":1.5,"connectionId":"c","text":"t","senderSeq":1}',
    '{"type":"joined","seq":1,"participant":{"name":"x"}}']) {
    assert.equal(parseServerFrame(bad), null, bad);
  }
});

test("client message ids follow the protocol's rule", () => {
  const ids = new Set(Array.from({ length: 50 }, newClientMessageId));
  assert.equal(ids.size, 50);
  for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
});
