// The WebSocket protocol, frame by frame: docs/protocol.md. Keep the two in step.

export interface Participant {
  readonly connectionId: string;
  readonly name: string;
}

export interface Draft {
  readonly connectionId: string;
  readonly text: string;
  readonly senderSeq: number;
}

export interface ChatMessage {
  readonly seq: number;
  readonly clientMessageId: string;
  readonly connectionId: string;
  readonly senderName: string;
  readonly text: string;
  readonly sentAt: string;
}

export interface Limits {
  readonly maxNameLength: number;
  readonly maxDraftLength: number;
  readonly maxFrameBytes: number;
}

export const defaultLimits: Limits = { maxNameLength: 32, maxDraftLength: 4000, maxFrameBytes: 16384 };

// Server -> client.
export interface WelcomeFrame {
  readonly type: "welcome";
  readonly room: string;
  readonly seq: number;
  readonly connectionId: string;
  readonly name: string;
  readonly server: string;
  readonly participants: readonly Participant[];
  readonly drafts: readonly Draft[];
  readonly history: readonly ChatMessage[];
  /** Older messages than `history` holds are kept: page them with a `history` request. */
  readonly moreHistory: boolean;
  readonly limits: Limits;
}
export interface JoinedFrame { readonly type: "joined"; readonly seq: number; readonly participant: Participant }
export interface LeftFrame { readonly type: "left"; readonly seq: number; readonly connectionId: string }
export interface ChunkFrame {
  readonly type: "chunk";
  readonly seq: number;
  readonly connectionId: string;
  readonly text: string;
  readonly senderSeq: number;
}
export interface ClearedFrame {
  readonly type: "cleared";
  readonly seq: number;
  readonly connectionId: string;
  readonly reason: string;
}
export interface CommitFrame { readonly type: "commit"; readonly seq: number; readonly message: ChatMessage }
export interface ErrorFrame {
  readonly type: "error";
  readonly code: string;
  readonly message: string;
  readonly ref?: string | null;
}

/** The answer to a `history` request: messages with seq below `before`, oldest first; `more` when older ones are kept. */
export interface HistoryFrame {
  readonly type: "history";
  readonly before: number;
  readonly messages: readonly ChatMessage[];
  readonly more: boolean;
}

/** A retried commit the room had already stored: confirmed (not a room event, it does not change the sequence). */
export interface CommittedFrame { readonly type: "committed"; readonly message: ChatMessage }

/** The WebFront is shutting down and closes the socket next: reconnect (the load balancer picks another one). */
export interface GoingAwayFrame { readonly type: "goingAway"; readonly message: string }

/** Events of the room: each carries the room sequence number. */
export type RoomEvent = JoinedFrame | LeftFrame | ChunkFrame | ClearedFrame | CommitFrame;
export type ServerFrame = WelcomeFrame | RoomEvent | HistoryFrame | CommittedFrame | ErrorFrame | GoingAwayFrame;

// Client -> server.
export type ClientFrame =
  | { readonly type: "join"; readonly room: string; readonly name: string }
  | { readonly type: "chunk"; readonly text: string; readonly seq: number }
  | { readonly type: "commit"; readonly text: string; readonly id: string }
  | { readonly type: "cancel" }
  | { readonly type: "history"; readonly before: number; readonly limit: number }
  | { readonly type: "resync" };

/** What the `ref` of an error caused by a `history` request is. */
export const historyErrorRef = "history";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === "string";
const isWhole = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value);

const isParticipant = (value: unknown): value is Participant =>
  isObject(value) && isString(value.connectionId) && isString(value.name);
const isDraft = (value: unknown): value is Draft =>
  isObject(value) && isString(value.connectionId) && isString(value.text) && isWhole(value.senderSeq);
const isMessage = (value: unknown): value is ChatMessage =>
  isObject(value) && isWhole(value.seq) && isString(value.clientMessageId) && isString(value.connectionId)
  && isString(value.senderName) && isString(value.text) && isString(value.sentAt);
const arrayOf = <T>(value: unknown, item: (v: unknown) => v is T): value is readonly T[] =>
  Array.isArray(value) && value.every(item);

function parseLimits(value: unknown): Limits {
  if (!isObject(value)) return defaultLimits;
  const pick = (key: keyof Limits) => {
    const v = value[key];
    return isWhole(v) && v > 0 ? v : defaultLimits[key];
  };
  return { maxNameLength: pick("maxNameLength"), maxDraftLength: pick("maxDraftLength"), maxFrameBytes: pick("maxFrameBytes") };
}

/**
 * Reads one text frame from the server. Returns null for anything that is not a frame this client understands
 * (malformed JSON, an unknown type, a known type with missing fields): unknown types are allowed by the protocol.
 */
export function parseServerFrame(data: string): ServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isObject(value) || !isString(value.type)) return null;
  const v = value;
  switch (v.type) {
    case "welcome":
      if (isString(v.room) && isWhole(v.seq) && isString(v.connectionId) && isString(v.name)
        && arrayOf(v.participants, isParticipant) && arrayOf(v.drafts, isDraft) && arrayOf(v.history, isMessage)) {
        return {
          type: "welcome", room: v.room, seq: v.seq, connectionId: v.connectionId, name: v.name,
          server: isString(v.server) ? v.server : "", participants: v.participants, drafts: v.drafts,
          history: v.history, moreHistory: v.moreHistory === true, limits: parseLimits(v.limits),
        };
      }
      return null;
    case "joined":
      return isWhole(v.seq) && isParticipant(v.participant)
        ? { type: "joined", seq: v.seq, participant: { connectionId: v.participant.connectionId, name: v.participant.name } }
        : null;
    case "left":
      return isWhole(v.seq) && isString(v.connectionId) ? { type: "left", seq: v.seq, connectionId: v.connectionId } : null;
    case "chunk":
      return isWhole(v.seq) && isString(v.connectionId) && isString(v.text) && isWhole(v.senderSeq)
        ? { type: "chunk", seq: v.seq, connectionId: v.connectionId, text: v.text, senderSeq: v.senderSeq }
        : null;
    case "cleared":
      return isWhole(v.seq) && isString(v.connectionId)
        ? { type: "cleared", seq: v.seq, connectionId: v.connectionId, reason: isString(v.reason) ? v.reason : "" }
        : null;
    case "commit":
      return isWhole(v.seq) && isMessage(v.message) ? { type: "commit", seq: v.seq, message: v.message } : null;
    case "history":
      return isWhole(v.before) && arrayOf(v.messages, isMessage)
        ? { type: "history", before: v.before, messages: v.messages, more: v.more === true }
        : null;
    case "committed":
      return isMessage(v.message) ? { type: "committed", message: v.message } : null;
    case "error":
      return {
        type: "error",
        code: isString(v.code) ? v.code : "error",
        message: isString(v.message) ? v.message : "",
        ref: isString(v.ref) ? v.ref : null,
      };
    case "goingAway":
      return { type: "goingAway", message: isString(v.message) ? v.message : "" };
    default:
      return null;
  }
}

/**
 * A fresh client message id: a UUID without dashes (32 hex digits), as the protocol suggests.
 * crypto.randomUUID exists only in secure contexts (https, localhost); plain http on another host falls back to
 * getRandomValues, which every context has.
 */
export function newClientMessageId(): string {
  if (typeof crypto.randomUUID === "function" && globalThis.isSecureContext !== false) {
    return crypto.randomUUID().replaceAll("-", "");
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
