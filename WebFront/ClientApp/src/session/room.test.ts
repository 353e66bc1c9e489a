import assert from "node:assert/strict";
import { test } from "node:test";
import { isValidRoom, loadName, nameProblem, nameStorageKey, roomFromLocation, saveName } from "./room.ts";

test("the room comes from ?room=, else #, else lobby, trimmed and lower-cased", () => {
  assert.equal(roomFromLocation({ search: "?room=Team", hash: "#other" }), "team");
  assert.equal(roomFromLocation({ search: "", hash: "#%20Design%20" }), "design");
  assert.equal(roomFromLocation({ search: "?room=%20%20", hash: "#Ops" }), "ops");
  assert.equal(roomFromLocation({ search: "", hash: "" }), "lobby");
  assert.equal(roomFromLocation({ search: "?x=1", hash: "#" }), "lobby");
});

test("room names follow the server's rule", () => {
  assert.ok(isValidRoom("lobby"));
  assert.ok(isValidRoom("team-2_a"));
  assert.ok(isValidRoom("a".repeat(64)));
  assert.equal(isValidRoom("a".repeat(65)), false);
  assert.equal(isValidRoom("-team"), false);
  assert.equal(isValidRoom("two words"), false);
});

test("names: required, bounded, no control characters", () => {
  assert.equal(nameProblem("Ada", 32), null);
  assert.equal(nameProblem("  Ada  ", 3), null);
  assert.match(nameProblem("   ", 32) ?? "", /enter a name/);
  assert.match(nameProblem("abcd", 3) ?? "", /3 characters/);
  assert.match(nameProblem("a\u0007b", 32) ?? "", /control/);
  assert.match(nameProblem("Ana\u202eevil", 32) ?? "", /invisible or direction-changing/);
  assert.match(nameProblem("An\u200ba", 32) ?? "", /invisible/);
  assert.match(nameProblem("\u3164", 32) ?? "", /invisible/);
  // A ZWJ inside an emoji sequence is the server's to judge (it allows it there).
  assert.equal(nameProblem("\u{1F469}\u200d\u{1F467}", 32), null);
});

test("the name is remembered under orleanschat.name", () => {
  const store = new Map<string, string>();
  const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
  assert.equal(loadName(storage), null);
  saveName("Ada", storage);
  assert.equal(store.get(nameStorageKey), "Ada");
  assert.equal(loadName(storage), "Ada");
  const broken = { getItem: () => { throw new Error("denied"); }, setItem: () => { throw new Error("denied"); } };
  assert.equal(loadName(broken), null);
  saveName("Ada", broken);
});
