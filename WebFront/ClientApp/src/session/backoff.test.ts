import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffMaxMs, reconnectDelay } from "./backoff.ts";

test("reconnect delays double from 250 ms up to 10 s", () => {
  const top = (attempt: number) => reconnectDelay(attempt, () => 1);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map(top), [250, 500, 1000, 2000, 4000, 8000, 10000, 10000]);
  assert.equal(top(1000), backoffMaxMs);
});

test("jitter takes off at most half", () => {
  assert.equal(reconnectDelay(0, () => 0), 125);
  assert.equal(reconnectDelay(10, () => 0), 5000);
  for (let i = 0; i < 100; i += 1) {
    const d = reconnectDelay(3);
    assert.ok(d >= 1000 && d <= 2000, `${d}`);
  }
});
