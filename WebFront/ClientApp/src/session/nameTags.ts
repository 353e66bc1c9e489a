// Telling participants with the same display name apart (issue 12, "names cannot impersonate").
// The server refuses names that hide or reorder characters and stores names in NFC (docs/protocol.md); two people
// may still pick the same name, or names that only differ in case or width. While two current participants share
// a name, everything shown under it (roster, live drafts, messages) gets a short tag derived from the connection id.
import type { Participant } from "./protocol.ts";

/** Characters that draw nothing: left out when comparing names, so an invisible difference is no difference. */
const invisible = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0]|\udb40[\udc00-\uddef]/g;

/** What two names must share to look alike: NFKC (full-width "Ａｎａ" is "Ana"), case-folded, invisibles and space runs ignored. */
export function nameKey(name: string): string {
  return name.normalize("NFKC").replace(invisible, "").toLowerCase().replace(/\s+/g, " ").trim();
}

/** A short, stable tag for a connection: 4 hex digits of its FNV-1a hash (8 when 4 would not tell a group apart). */
export function connectionTag(connectionId: string, digits: 4 | 8 = 4): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < connectionId.length; i++) {
    hash ^= connectionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0").slice(0, digits);
}

/** The tag to show next to a name, or null when the name is not shared. */
export type NameTagger = (connectionId: string, name: string) => string | null;

/**
 * A tagger for the current participants: a name held by two or more of them (by `nameKey`) is ambiguous, and then
 * every participant, draft or message under that name shows its connection's tag; other names show none.
 */
export function nameTagger(participants: readonly Participant[]): NameTagger {
  const holders = new Map<string, Set<string>>();
  for (const p of participants) {
    const key = nameKey(p.name);
    const ids = holders.get(key) ?? new Set<string>();
    ids.add(p.connectionId);
    holders.set(key, ids);
  }
  const digits = new Map<string, 4 | 8>();
  for (const [key, ids] of holders) {
    if (ids.size < 2) continue;
    const short = new Set([...ids].map((id) => connectionTag(id)));
    digits.set(key, short.size === ids.size ? 4 : 8);
  }
  if (digits.size === 0) return () => null;
  return (connectionId, name) => {
    const length = digits.get(nameKey(name));
    return length === undefined ? null : connectionTag(connectionId, length);
  };
}

/** Every name is its own: no tags (before a welcome, or in tests). */
export const noNameTags: NameTagger = () => null;
