import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { renderToStaticMarkup } from "react-dom/server";
import { connectionTag, nameTagger, noNameTags } from "../session/nameTags.ts";
import type { ChatMessage, Participant } from "../session/protocol.ts";
import { ChatHeader } from "./ChatHeader.tsx";
import { ChatLog } from "./ChatLog.tsx";
import { DraftPanel } from "./DraftPanel.tsx";

const me: Participant = { connectionId: "c-me-0001", name: "Ana" };
const other: Participant = { connectionId: "c-other-0002", name: "Ana" };
const bob: Participant = { connectionId: "c-bob-0003", name: "Bob" };
const participants = [me, other, bob];
const tagFor = nameTagger(participants);
const noop = () => {};

/** The text of every element with the given class, in document order (tags stripped). */
function texts(html: string, className: string): string[] {
  const open = new RegExp(`<(\\w+)[^>]*class="[^"]*\\b${className}\\b[^"]*"[^>]*>`, "g");
  const found: string[] = [];
  for (const match of html.matchAll(open)) {
    const tag = match[1];
    const start = (match.index ?? 0) + match[0].length;
    let depth = 1;
    let i = start;
    const token = new RegExp(`<(/?)${tag}\\b[^>]*>`, "g");
    token.lastIndex = start;
    for (let t = token.exec(html); t !== null; t = token.exec(html)) {
      depth += t[1] === "/" ? -1 : 1;
      if (depth === 0) { i = t.index; break; }
    }
    found.push(html.slice(start, i).replace(/<[^>]+>/g, "").replace(/&#x27;/g, "'"));
  }
  return found;
}

function message(seq: number, author: Participant, text: string): ChatMessage {
  return { seq, clientMessageId: `m${seq}`, connectionId: author.connectionId, senderName: author.name, text, sentAt: "2026-11-26T14:00:00+00:00" };
}

describe("participants with the same name are told apart", () => {
  test("in the roster, each Ana carries her own tag and Bob none", () => {
    const html = renderToStaticMarkup(
      <ChatHeader room="lobby" name="Ana" status="live" participants={participants} selfConnectionId={me.connectionId} onChangeName={null} tagFor={tagFor} />);
    const roster = texts(html, "participant");
    assert.deepEqual(roster, [`Ana · ${connectionTag(me.connectionId)}`, `Ana · ${connectionTag(other.connectionId)}`, "Bob"]);
    assert.notEqual(roster[0], roster[1]);
    // The tab's own line says which Ana it is.
    assert.ok(html.includes(`data-name-tag="${connectionTag(me.connectionId)}"`));
    assert.match(texts(html, "me")[0] ?? "", new RegExp(`You are Ana · ${connectionTag(me.connectionId)}`));
  });

  test("with a name of one's own, nothing is added", () => {
    const alone = [me, bob];
    const html = renderToStaticMarkup(
      <ChatHeader room="lobby" name="Ana" status="live" participants={alone} selfConnectionId={me.connectionId} onChangeName={null} tagFor={nameTagger(alone)} />);
    assert.deepEqual(texts(html, "participant"), ["Ana", "Bob"]);
    assert.ok(!html.includes("name-tag"));
  });

  test("in the live drafts", () => {
    const third: Participant = { connectionId: "c-third-0004", name: "Ana" };
    const all = [me, other, third, bob];
    const drafts = { [other.connectionId]: { text: "hi", senderSeq: 1 }, [third.connectionId]: { text: "yo", senderSeq: 1 }, [bob.connectionId]: { text: "hey", senderSeq: 1 } };
    const html = renderToStaticMarkup(<DraftPanel participants={all} drafts={drafts} selfConnectionId={me.connectionId} tagFor={nameTagger(all)} />);
    assert.deepEqual(texts(html, "who"), [
      `Ana · ${connectionTag(other.connectionId)} is typing`,
      `Ana · ${connectionTag(third.connectionId)} is typing`,
      "Bob is typing",
    ]);
  });

  test("in the messages, including this tab's own messages still on their way", () => {
    const html = renderToStaticMarkup(
      <ChatLog
        messages={[message(1, other, "I am Ana"), message(2, me, "no, I am"), message(3, bob, "hm")]}
        pending={[{ clientMessageId: "p1", text: "really", createdAt: "2026-11-26T14:00:02+00:00", status: "sending", error: null }]}
        moreHistory={false} historyLoading={false} historyError={null} onLoadOlder={noop}
        ownConnectionIds={[me.connectionId]} selfName="Ana" selfConnectionId={me.connectionId} tagFor={tagFor}
        onRetry={noop} onDiscard={noop}
      />);
    assert.deepEqual(texts(html, "who"), [
      `Ana · ${connectionTag(other.connectionId)}`,
      `Ana · ${connectionTag(me.connectionId)}`,
      "Bob",
      `Ana · ${connectionTag(me.connectionId)}`,
    ]);
  });

  test("a name is isolated for bidi, so a right-to-left name cannot reorder its tag", () => {
    const html = renderToStaticMarkup(
      <DraftPanel participants={[bob]} drafts={{ [bob.connectionId]: { text: "x", senderSeq: 1 } }} selfConnectionId={null} tagFor={noNameTags} />);
    assert.match(html, /<bdi class="name">Bob<\/bdi>/);
  });
});
