import { useLayoutEffect, useRef } from "react";
import type { DraftState } from "../session/chatReducer.ts";
import type { NameTagger } from "../session/nameTags.ts";
import type { Participant } from "../session/protocol.ts";
import { ParticipantName } from "./ParticipantName.tsx";

interface DraftPanelProps {
  readonly participants: readonly Participant[];
  readonly drafts: Readonly<Record<string, DraftState>>;
  readonly selfConnectionId: string | null;
  /** Tags for names that more than one participant has. */
  readonly tagFor: NameTagger;
}

interface LiveDraft {
  readonly connectionId: string;
  readonly name: string;
  readonly text: string;
}

/** Every other participant's text as they type it, in the order they joined. */
export function DraftPanel({ participants, drafts, selfConnectionId, tagFor }: DraftPanelProps) {
  const names = new Map(participants.map((p) => [p.connectionId, p.name] as const));
  const order = new Map(participants.map((p, i) => [p.connectionId, i] as const));
  const live: LiveDraft[] = Object.entries(drafts)
    .filter(([id, d]) => id !== selfConnectionId && d.text !== "")
    .sort(([a], [b]) => (order.get(a) ?? Number.MAX_SAFE_INTEGER) - (order.get(b) ?? Number.MAX_SAFE_INTEGER))
    .map(([id, d]) => ({ connectionId: id, name: names.get(id) ?? "Someone", text: d.text }));

  return (
    <section aria-label="Live drafts" className={live.length === 0 ? "drafts idle" : "drafts"}>
      <ul>
        {live.map((d) => <DraftItem key={d.connectionId} draft={d} tagFor={tagFor} />)}
      </ul>
    </section>
  );
}

function DraftItem({ draft, tagFor }: { readonly draft: LiveDraft; readonly tagFor: NameTagger }) {
  const textRef = useRef<HTMLSpanElement>(null);
  // Long drafts scroll inside their box: keep the end, where the typing happens, in view.
  useLayoutEffect(() => {
    const el = textRef.current;
    if (el !== null) el.scrollTop = el.scrollHeight;
  }, [draft.text]);
  return (
    <li data-connection-id={draft.connectionId}>
      <span className="who"><ParticipantName name={draft.name} connectionId={draft.connectionId} tagFor={tagFor} /> is typing</span>
      <span className="visually-hidden">: </span>
      <span className="draft-text" ref={textRef}>{draft.text}</span>
    </li>
  );
}
