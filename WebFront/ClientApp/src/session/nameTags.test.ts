import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { connectionTag, nameKey, nameTagger, noNameTags } from "./nameTags.ts";

const ana1 = { connectionId: "9b1c0a7e5d3f4e2a8c6b1d0e9f8a7b6c", name: "Ana" };
const ana2 = { connectionId: "77aa01b2c3d4e5f60718293a4b5c6d7e", name: "Ana" };
const bob = { connectionId: "1f2e3d4c5b6a79880716253443526170", name: "Bob" };

describe("name tags", () => {
  test("a name nobody else has gets no tag", () => {
    const tagFor = nameTagger([ana1, bob]);
    assert.equal(tagFor(ana1.connectionId, "Ana"), null);
    assert.equal(tagFor(bob.connectionId, "Bob"), null);
  });

  test("two participants with the same name get different, short tags from their connection ids", () => {
    const tagFor = nameTagger([ana1, ana2, bob]);
    const first = tagFor(ana1.connectionId, "Ana");
    const second = tagFor(ana2.connectionId, "Ana");
    assert.match(first ?? "", /^[0-9a-f]{4}$/);
    assert.match(second ?? "", /^[0-9a-f]{4}$/);
    assert.notEqual(first, second);
    assert.equal(tagFor(bob.connectionId, "Bob"), null);
  });

  test("a tag is stable: the same connection gets the same tag whoever else is here", () => {
    const alone = nameTagger([ana1, ana2]);
    const crowded = nameTagger([bob, ana2, { connectionId: "c-3", name: "Ana" }, ana1]);
    assert.equal(alone(ana1.connectionId, "Ana"), crowded(ana1.connectionId, "Ana"));
    assert.equal(alone(ana1.connectionId, "Ana"), connectionTag(ana1.connectionId));
  });

  test("names that only differ in case, width or invisible characters count as the same", () => {
    const tagFor = nameTagger([ana1, { connectionId: "c-wide", name: "\uff41\uff4e\uff41" }]);
    assert.notEqual(tagFor(ana1.connectionId, "Ana"), null);
    assert.notEqual(tagFor("c-wide", "\uff41\uff4e\uff41"), null);
    assert.equal(nameKey("A\u200bna\u3164"), nameKey("ana"));
    assert.equal(nameKey("Jose\u0301"), nameKey("Jos\u00e9"));
    assert.notEqual(nameKey("Jose"), nameKey("Jos\u00e9"));
  });

  test("a message under a shared name is tagged with its author's connection, even one who left", () => {
    const tagFor = nameTagger([ana1, ana2]);
    assert.equal(tagFor("c-gone", "Ana"), connectionTag("c-gone"));
  });

  test("a connection is the same name with itself: one participant is never tagged", () => {
    assert.equal(nameTagger([ana1, ana1])(ana1.connectionId, "Ana"), null);
    assert.equal(nameTagger([])("x", "Ana"), null);
    assert.equal(noNameTags("x", "Ana"), null);
  });

  test("when four hex digits would not tell a group apart, the group gets eight", () => {
    // Find two ids whose 4-digit tags collide (FNV-1a is deterministic, so this is too).
    const seen = new Map<string, string>();
    let pair: [string, string] | null = null;
    for (let i = 0; pair === null; i++) {
      const id = `conn-${i}`;
      const tag = connectionTag(id);
      const other = seen.get(tag);
      if (other !== undefined) pair = [other, id];
      seen.set(tag, id);
    }
    const [a, b] = pair;
    const tagFor = nameTagger([{ connectionId: a, name: "Ana" }, { connectionId: b, name: "Ana" }]);
    assert.match(tagFor(a, "Ana") ?? "", /^[0-9a-f]{8}$/);
    assert.notEqual(tagFor(a, "Ana"), tagFor(b, "Ana"));
  });
});
