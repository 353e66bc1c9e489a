import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DraftCoalescer } from "./draftCoalescer.ts";
import { FakeClock } from "./testing/fakes.ts";

function setup(connected = true) {
  const clock = new FakeClock();
  const sent: string[] = [];
  const state = { connected };
  const coalescer = new DraftCoalescer((text) => {
    if (!state.connected) return false;
    sent.push(text);
    return true;
  }, 40, clock);
  return { clock, sent, state, coalescer };
}

describe("DraftCoalescer", () => {
  test("the first change goes out at once", () => {
    const { sent, coalescer } = setup();
    coalescer.update("h");
    assert.deepEqual(sent, ["h"]);
  });

  test("changes within the interval are coalesced into one trailing send of the latest text", () => {
    const { clock, sent, coalescer } = setup();
    coalescer.update("h");
    clock.advance(10);
    coalescer.update("he");
    clock.advance(10);
    coalescer.update("hel");
    assert.deepEqual(sent, ["h"]);
    clock.advance(20);
    assert.deepEqual(sent, ["h", "hel"]);
  });

  test("a fast typist sends at most one chunk per interval, and the last text last", () => {
    const { clock, sent, coalescer } = setup();
    let text = "";
    for (let i = 0; i < 100; i += 1) {
      text += "x";
      coalescer.update(text);
      clock.advance(5);
    }
    clock.advance(100);
    assert.ok(sent.length <= 500 / 40 + 2, `sent ${sent.length} chunks in 500 ms`);
    assert.equal(sent[sent.length - 1], text);
  });

  test("text the server already has is not sent again", () => {
    const { clock, sent, coalescer } = setup();
    coalescer.update("a");
    coalescer.update("ab");
    coalescer.update("a");
    clock.advance(50);
    assert.deepEqual(sent, ["a"]);
  });

  test("reset drops a waiting send (a commit must not bring the draft back)", () => {
    const { clock, sent, coalescer } = setup();
    coalescer.update("hello");
    coalescer.update("hello world");
    coalescer.reset();
    clock.advance(100);
    assert.deepEqual(sent, ["hello"]);
    assert.equal(coalescer.text, "");
    assert.equal(clock.pendingTimers, 0);
  });

  test("a draft typed while disconnected is sent by resend", () => {
    const { clock, sent, state, coalescer } = setup(false);
    coalescer.update("typed offline");
    clock.advance(100);
    assert.deepEqual(sent, []);
    state.connected = true;
    coalescer.resend();
    assert.deepEqual(sent, ["typed offline"]);
  });

  test("resend sends a draft the old connection had (the new one knows nothing of it)", () => {
    const { sent, coalescer } = setup();
    coalescer.update("hi");
    coalescer.resend();
    assert.deepEqual(sent, ["hi", "hi"]);
  });

  test("resend with no draft sends nothing", () => {
    const { sent, coalescer } = setup();
    coalescer.resend();
    assert.deepEqual(sent, []);
  });

  test("deleting everything sends the empty draft", () => {
    const { clock, sent, coalescer } = setup();
    coalescer.update("x");
    clock.advance(50);
    coalescer.update("");
    assert.deepEqual(sent, ["x", ""]);
  });
});
