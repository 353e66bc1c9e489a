// All of the client's state transitions: a pure reducer over server frames and local actions.
// The hook (useChatSession) owns the socket and dispatches; components only read.
import { defaultLimits, historyErrorRef } from "./protocol.ts";
import type {
  ChatMessage, CommittedFrame, ErrorFrame, HistoryFrame, Limits, Participant, RoomEvent, ServerFrame, WelcomeFrame,
} from "./protocol.ts";

export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline";

/** Where the current socket is: none, opening, open but not yet welcomed, or welcomed (joined). */
export type SocketPhase = "idle" | "connecting" | "open" | "joined";

export interface DraftState {
  readonly text: string;
  readonly senderSeq: number;
}

/** A message this tab committed whose `commit` event has not arrived yet (optimistic). */
export interface PendingMessage {
  readonly clientMessageId: string;
  readonly text: string;
  readonly createdAt: string;
  readonly status: "sending" | "failed";
  readonly error: string | null;
}

export interface ChatError {
  readonly id: number;
  readonly code: string;
  readonly message: string;
  readonly count: number;
}

export interface ChatState {
  readonly room: string;
  /** The display name this tab joins with; null until the user picked one. */
  readonly name: string | null;
  /** The server refused the name: the name form must come back. */
  readonly nameRejected: boolean;
  /** This tab as the room knows it (from the latest welcome). */
  readonly self: Participant | null;
  /** Every connection id this tab has had, so its messages from before a reconnect are still its own. */
  readonly ownConnectionIds: readonly string[];
  readonly server: string | null;
  readonly socket: SocketPhase;
  /** Connection attempts in a row that ended without a welcome. */
  readonly failures: number;
  readonly everJoined: boolean;
  readonly online: boolean;
  /** The last room sequence number applied; null before the first welcome of the current socket. */
  readonly seq: number | null;
  /** A gap in the room sequence was seen: events are ignored until a fresh welcome replaces everything. */
  readonly needsResync: boolean;
  /** How many welcomes were applied: the hook re-sends pending commits and the draft after each. */
  readonly welcomes: number;
  readonly participants: readonly Participant[];
  readonly drafts: Readonly<Record<string, DraftState>>;
  /** The highest sender seq applied per connection, so a stale chunk never brings back old text. */
  readonly senderSeqs: Readonly<Record<string, number>>;
  /** Committed messages shown, oldest first, in seq order: the welcome's newest ones plus older pages loaded. */
  readonly messages: readonly ChatMessage[];
  /** The room keeps messages older than the oldest shown (load them with a history request). */
  readonly moreHistory: boolean;
  /** The `before` of the history request on its way; null when none is. */
  readonly historyRequest: number | null;
  /** Why the last history request failed, until the next one. */
  readonly historyError: string | null;
  readonly pending: readonly PendingMessage[];
  readonly limits: Limits;
  readonly errors: readonly ChatError[];
  readonly nextErrorId: number;
}

export type ChatAction =
  | { readonly type: "server"; readonly frame: ServerFrame }
  | { readonly type: "sessionStarted"; readonly room: string; readonly name: string | null }
  | { readonly type: "socketConnecting" }
  | { readonly type: "socketOpened" }
  | { readonly type: "socketClosed" }
  | { readonly type: "networkChanged"; readonly online: boolean }
  | { readonly type: "commitQueued"; readonly clientMessageId: string; readonly text: string; readonly at: string }
  | { readonly type: "commitRetried"; readonly clientMessageId: string }
  | { readonly type: "commitDiscarded"; readonly clientMessageId: string }
  | { readonly type: "historyRequested"; readonly before: number }
  | { readonly type: "historyTimedOut"; readonly before: number }
  | { readonly type: "errorRaised"; readonly code: string; readonly message: string }
  | { readonly type: "errorDismissed"; readonly id: number };

/** Attempts in a row without a welcome after which the status says Offline (reconnecting goes on). */
export const offlineAfterFailures = 5;
/**
 * Committed messages kept in memory (the room's own retention by default): new messages push the oldest out, which
 * can then be loaded again; scrolling back stops there.
 */
export const maxMessages = 10_000;
/** Messages asked for per history request (the server allows up to 100). */
export const historyPageSize = 50;
const maxErrors = 5;
const maxOwnConnectionIds = 50;

/** Error codes that mean the display name was refused. */
export const nameErrorCodes: ReadonlySet<string> = new Set(["name_required", "name_too_long", "name_invalid"]);
/** Error codes after which a commit is worth sending again as it is. */
export const retryableCommitCodes: ReadonlySet<string> = new Set(["unavailable", "rate_limited"]);

export function initialChatState(room: string, name: string | null, online = true): ChatState {
  return {
    room,
    name,
    nameRejected: false,
    self: null,
    ownConnectionIds: [],
    server: null,
    socket: "idle",
    failures: 0,
    everJoined: false,
    online,
    seq: null,
    needsResync: false,
    welcomes: 0,
    participants: [],
    drafts: {},
    senderSeqs: {},
    messages: [],
    moreHistory: false,
    historyRequest: null,
    historyError: null,
    pending: [],
    limits: defaultLimits,
    errors: [],
    nextErrorId: 1,
  };
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "server":
      return applyFrame(state, action.frame);
    case "sessionStarted":
      if (action.room !== state.room) {
        // Another room: nothing of this one carries over, not even unsent messages.
        return { ...initialChatState(action.room, action.name, state.online), errors: state.errors, nextErrorId: state.nextErrorId, limits: state.limits };
      }
      return { ...state, name: action.name, nameRejected: false, socket: "idle", failures: 0, seq: null, needsResync: false };
    case "socketConnecting":
      return { ...state, socket: "connecting" };
    case "socketOpened":
      return { ...state, socket: "open" };
    case "socketClosed":
      return {
        ...state,
        socket: "idle",
        failures: state.socket === "joined" ? 0 : state.failures + 1,
        seq: null,
        needsResync: false,
        historyRequest: null, // its answer would come on the closed socket
      };
    case "networkChanged":
      return { ...state, online: action.online, failures: action.online ? 0 : state.failures };
    case "commitQueued":
      if (state.pending.some((p) => p.clientMessageId === action.clientMessageId)) return state;
      return {
        ...state,
        pending: [...state.pending, {
          clientMessageId: action.clientMessageId, text: action.text, createdAt: action.at, status: "sending", error: null,
        }],
      };
    case "commitRetried":
      return {
        ...state,
        pending: state.pending.map((p) =>
          p.clientMessageId === action.clientMessageId ? { ...p, status: "sending", error: null } : p),
      };
    case "commitDiscarded":
      return { ...state, pending: state.pending.filter((p) => p.clientMessageId !== action.clientMessageId) };
    case "historyRequested":
      return { ...state, historyRequest: action.before, historyError: null };
    case "historyTimedOut":
      if (state.historyRequest !== action.before) return state;
      return { ...state, historyRequest: null, historyError: "The server did not send older messages in time." };
    case "errorRaised":
      return addError(state, action.code, action.message);
    case "errorDismissed":
      return { ...state, errors: state.errors.filter((e) => e.id !== action.id) };
  }
}

function applyFrame(state: ChatState, frame: ServerFrame): ChatState {
  switch (frame.type) {
    case "welcome":
      return applyWelcome(state, frame);
    case "error":
      return applyError(state, frame);
    case "goingAway":
      return state; // the close that follows is what matters (the session reconnects at once)
    case "history":
      return applyHistoryPage(state, frame);
    case "committed":
      return applyCommitted(state, frame);
    default:
      return applyRoomEvent(state, frame);
  }
}

/** A welcome is the complete room state at its seq: it replaces everything shown. */
function applyWelcome(state: ChatState, w: WelcomeFrame): ChatState {
  const drafts: Record<string, DraftState> = {};
  const senderSeqs: Record<string, number> = {};
  for (const d of w.drafts) {
    senderSeqs[d.connectionId] = d.senderSeq;
    if (d.text !== "") drafts[d.connectionId] = { text: d.text, senderSeq: d.senderSeq };
  }
  const committed = new Set(w.history.map((m) => m.clientMessageId));
  const shown = historyAfterWelcome(state, w);
  const ownConnectionIds = state.ownConnectionIds.includes(w.connectionId)
    ? state.ownConnectionIds
    : [...state.ownConnectionIds, w.connectionId].slice(-maxOwnConnectionIds);
  return {
    ...state,
    room: w.room,
    self: { connectionId: w.connectionId, name: w.name },
    ownConnectionIds,
    server: w.server,
    socket: "joined",
    failures: 0,
    everJoined: true,
    seq: w.seq,
    needsResync: false,
    welcomes: state.welcomes + 1,
    participants: dedupeParticipants(w.participants),
    drafts,
    senderSeqs,
    messages: shown.messages,
    moreHistory: shown.moreHistory,
    // A request made on this socket is still answered unless the oldest message shown changed.
    historyRequest: shown.messages[0]?.clientMessageId === state.messages[0]?.clientMessageId ? state.historyRequest : null,
    pending: state.pending.filter((p) => !committed.has(p.clientMessageId)),
    limits: w.limits,
  };
}

/**
 * What a welcome leaves shown. Its history is the newest messages; older pages this tab loaded stay when the room
 * keeps older messages and the welcome's oldest one is among them (a reconnect or resync in the same room), so
 * scrolling back survives it.
 */
function historyAfterWelcome(state: ChatState, w: WelcomeFrame): { messages: readonly ChatMessage[]; moreHistory: boolean } {
  const fresh = dedupeMessages(w.history).slice(-maxMessages);
  const first = fresh[0];
  // Without moreHistory the welcome holds everything the room keeps: nothing older may stay.
  if (first !== undefined && w.moreHistory) {
    const at = state.messages.findIndex((m) => m.clientMessageId === first.clientMessageId && m.seq === first.seq);
    if (at > 0) {
      const keep = Math.min(at, maxMessages - fresh.length);
      return {
        messages: [...state.messages.slice(at - keep, at), ...fresh],
        moreHistory: state.moreHistory || keep < at,
      };
    }
  }
  return { messages: fresh, moreHistory: w.moreHistory || fresh.length < w.history.length };
}

/** An older page: shown before the oldest message when it answers what was asked (stale answers are ignored). */
function applyHistoryPage(state: ChatState, page: HistoryFrame): ChatState {
  if (state.historyRequest === null || page.before !== state.historyRequest) return state;
  const oldest = state.messages[0];
  if (oldest === undefined || oldest.seq !== page.before) {
    // What is shown changed since the request (a welcome replaced it): the page no longer fits.
    return { ...state, historyRequest: null };
  }
  const known = new Set(state.messages.map((m) => m.clientMessageId));
  const older = dedupeMessages(page.messages.filter((m) => m.seq < page.before && !known.has(m.clientMessageId)))
    .sort((a, b) => a.seq - b.seq);
  const room = Math.max(0, maxMessages - state.messages.length);
  const added = older.slice(older.length - Math.min(room, older.length));
  return {
    ...state,
    messages: [...added, ...state.messages],
    // An empty page ends the scrollback even if it says more: asking again would get the same answer.
    moreHistory: added.length > 0 && (page.more || added.length < older.length),
    historyRequest: null,
    historyError: null,
  };
}

/** A retried commit the room had stored already: no longer pending; shown in seq order if it falls in what is shown. */
function applyCommitted(state: ChatState, frame: CommittedFrame): ChatState {
  const m = frame.message;
  const pending = state.pending.filter((p) => p.clientMessageId !== m.clientMessageId);
  const known = state.messages.some((x) => x.clientMessageId === m.clientMessageId);
  const oldest = state.messages[0];
  const fits = !state.moreHistory || (oldest !== undefined && m.seq > oldest.seq);
  if (known || !fits) return { ...state, pending };
  const at = state.messages.findIndex((x) => x.seq > m.seq);
  const messages = at < 0 ? [...state.messages, m] : [...state.messages.slice(0, at), m, ...state.messages.slice(at)];
  return { ...state, pending, ...trimmed(messages, state.moreHistory) };
}

/** Keeps at most maxMessages, the newest: anything pushed out can be loaded again. */
function trimmed(messages: readonly ChatMessage[], moreHistory: boolean): { messages: readonly ChatMessage[]; moreHistory: boolean } {
  return messages.length > maxMessages
    ? { messages: messages.slice(-maxMessages), moreHistory: true }
    : { messages, moreHistory };
}

function applyRoomEvent(state: ChatState, event: RoomEvent): ChatState {
  // Before a welcome there is nothing to apply an event to; after a gap, only a welcome helps.
  if (state.seq === null || state.needsResync) return state;
  // Already included in the welcome, or seen before.
  if (event.seq <= state.seq) return state;
  // Something was missed: do not show wrong text, ask for a fresh snapshot (the hook sends resync).
  if (event.seq !== state.seq + 1) return { ...state, needsResync: true };

  const next: ChatState = { ...state, seq: event.seq };
  switch (event.type) {
    case "joined": {
      const p = event.participant;
      const others = next.participants.filter((x) => x.connectionId !== p.connectionId);
      return { ...next, participants: [...others, p] };
    }
    case "left": {
      const { [event.connectionId]: _draft, ...drafts } = next.drafts;
      const { [event.connectionId]: _seq, ...senderSeqs } = next.senderSeqs;
      return {
        ...next,
        participants: next.participants.filter((x) => x.connectionId !== event.connectionId),
        drafts,
        senderSeqs,
      };
    }
    case "chunk": {
      const last = next.senderSeqs[event.connectionId];
      if (last !== undefined && event.senderSeq <= last) return next; // stale: a newer text was applied already
      const senderSeqs = { ...next.senderSeqs, [event.connectionId]: event.senderSeq };
      if (event.text === "") return { ...next, senderSeqs, drafts: withoutKey(next.drafts, event.connectionId) };
      return {
        ...next,
        senderSeqs,
        drafts: { ...next.drafts, [event.connectionId]: { text: event.text, senderSeq: event.senderSeq } },
      };
    }
    case "cleared":
      return { ...next, drafts: withoutKey(next.drafts, event.connectionId) };
    case "commit": {
      const m = event.message;
      const known = next.messages.some((x) => x.clientMessageId === m.clientMessageId);
      return {
        ...next,
        ...(known ? {} : trimmed([...next.messages, m], next.moreHistory)),
        drafts: withoutKey(next.drafts, m.connectionId),
        pending: next.pending.filter((p) => p.clientMessageId !== m.clientMessageId),
      };
    }
  }
}

function applyError(state: ChatState, e: ErrorFrame): ChatState {
  if (e.ref === historyErrorRef) {
    // Scrollback failed: said where older messages would be, with a way to try again, not as an alert.
    return { ...state, historyRequest: null, historyError: historyErrorText(e) };
  }
  let next = addError(state, e.code, e.message || describeErrorCode(e.code));
  if (nameErrorCodes.has(e.code)) next = { ...next, nameRejected: true };
  const ref = e.ref;
  if (ref && !retryableCommitCodes.has(e.code) && next.pending.some((p) => p.clientMessageId === ref)) {
    next = {
      ...next,
      pending: next.pending.map((p) =>
        p.clientMessageId === ref ? { ...p, status: "failed", error: e.message || describeErrorCode(e.code) } : p),
    };
  }
  return next;
}

function addError(state: ChatState, code: string, message: string): ChatState {
  const last = state.errors[state.errors.length - 1];
  if (last && last.code === code && last.message === message) {
    // The same complaint again (for example rate_limited once a second): count it, do not stack it.
    return { ...state, errors: [...state.errors.slice(0, -1), { ...last, count: last.count + 1 }] };
  }
  const error: ChatError = { id: state.nextErrorId, code, message, count: 1 };
  return { ...state, errors: [...state.errors, error].slice(-maxErrors), nextErrorId: state.nextErrorId + 1 };
}

function withoutKey<T>(record: Readonly<Record<string, T>>, key: string): Readonly<Record<string, T>> {
  if (!(key in record)) return record;
  const { [key]: _removed, ...rest } = record;
  return rest;
}

function dedupeParticipants(list: readonly Participant[]): Participant[] {
  const seen = new Set<string>();
  return list.filter((p) => !seen.has(p.connectionId) && (seen.add(p.connectionId), true));
}

function dedupeMessages(list: readonly ChatMessage[]): ChatMessage[] {
  const seen = new Set<string>();
  return list.filter((m) => !seen.has(m.clientMessageId) && (seen.add(m.clientMessageId), true));
}

/** The connection state people see. */
export function connectionStatus(state: ChatState): ConnectionStatus {
  if (!state.online || state.name === null || state.nameRejected) return "offline";
  if (state.socket === "joined") return "live";
  if (state.failures >= offlineAfterFailures) return "offline";
  return state.everJoined || state.failures > 0 ? "reconnecting" : "connecting";
}

function historyErrorText(e: ErrorFrame): string {
  switch (e.code) {
    case "rate_limited": return "Older messages were asked for too often. Try again in a moment.";
    case "unavailable": return "The room did not send older messages in time.";
    default: return e.message || describeErrorCode(e.code);
  }
}

/** Words for an error code, for frames that came without a message. */
export function describeErrorCode(code: string): string {
  switch (code) {
    case "rate_limited": return "You are sending faster than the server allows; some updates were dropped.";
    case "unavailable": return "The room did not answer in time. Trying again.";
    case "room_full": return "This room is full.";
    case "too_many_new_rooms": return "Too many new rooms were opened from this address in the last minute. Try again shortly, or join an existing room.";
    case "invalid_room": return "That room name is not valid.";
    case "text_too_long": return "That text is too long.";
    case "text_required": return "A message cannot be empty.";
    case "name_required": return "Please choose a display name.";
    case "name_too_long": return "That display name is too long.";
    case "name_invalid": return "That display name cannot be used.";
    default: return `The server reported an error (${code}).`;
  }
}
