// Where the room and the display name come from: the address bar and localStorage.

export const defaultRoom = "lobby";
export const nameStorageKey = "orleanschat.name";

/** Trims and lower-cases a room name, as the server does; an empty one means the default room. */
export function normalizeRoom(raw: string | null | undefined): string {
  const room = (raw ?? "").trim().toLowerCase();
  return room === "" ? defaultRoom : room;
}

/** The room named by `?room=name`, else by `#name`, else the default room. */
export function roomFromLocation(location: { readonly search: string; readonly hash: string }): string {
  const fromQuery = new URLSearchParams(location.search).get("room");
  if (fromQuery !== null && fromQuery.trim() !== "") return normalizeRoom(fromQuery);
  let hash = location.hash.startsWith("#") ? location.hash.slice(1) : location.hash;
  try {
    hash = decodeURIComponent(hash);
  } catch {
    // A malformed escape: use the hash as it is; the server judges the name.
  }
  return normalizeRoom(hash);
}

/** The server's rule for room names (after normalising): 1–64 of a-z 0-9 - _, starting with a letter or digit. */
export function isValidRoom(room: string): boolean {
  return /^[a-z0-9][a-z0-9_-]{0,63}$/.test(room);
}

/** Why a display name would be refused, in words, or null when it is fine. Mirrors the server's rules. */
export function nameProblem(raw: string, maxNameLength: number): string | null {
  const name = raw.trim();
  if (name === "") return "Please enter a name.";
  if (name.length > maxNameLength) return `Names are limited to ${maxNameLength} characters.`;
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return "Names cannot contain control characters.";
  // The server's rules are wider (docs/protocol.md, "Display names"); these are the ones a person can paste by accident.
  if (/[\u00ad\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u115f\u1160\u3164\uffa0\u2800]/.test(name)) {
    return "Names cannot contain invisible or direction-changing characters.";
  }
  return null;
}

export function loadName(storage: Pick<Storage, "getItem"> | undefined = safeStorage()): string | null {
  try {
    const name = storage?.getItem(nameStorageKey)?.trim();
    return name ? name : null;
  } catch {
    return null;
  }
}

export function saveName(name: string, storage: Pick<Storage, "setItem"> | undefined = safeStorage()): void {
  try {
    storage?.setItem(nameStorageKey, name);
  } catch {
    // Storage may be disabled (private mode, quota): the name then lasts for this tab only.
  }
}

function safeStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}
