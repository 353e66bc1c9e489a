// The chat session without React: one socket at a time, joins, reconnects with backoff, re-sends what the server
// still lacks after every welcome, and keeps the state by running every action through chatReducer.
// useChatSession binds it to React; tests drive it with a fake socket and clock.
import { reconnectDelay } from "./backoff.ts";
import { chatReducer, historyPageSize, initialChatState, maxMessages, nameErrorCodes, retryableCommitCodes } from "./chatReducer.ts";
import type { ChatAction, ChatState } from "./chatReducer.ts";
import { DraftCoalescer } from "./draftCoalescer.ts";
import type { Clock } from "./draftCoalescer.ts";
import { newClientMessageId, parseServerFrame } from "./protocol.ts";
import type { ClientFrame, ErrorFrame, ServerFrame } from "./protocol.ts";

/** The part of the browser's WebSocket this session uses. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface SessionEnvironment {
  openSocket(): SocketLike;
  readonly clock: Clock;
  random(): number;
  isOnline(): boolean;
  newMessageId(): string;
  now(): Date;
  warn(message: string, detail?: unknown): void;
}

const socketOpen = 1; // WebSocket.OPEN

/** Coalescing interval for live typing (the protocol asks for one chunk per ~30–50 ms). */
export const chunkIntervalMs = 40;
/** A connection that stayed up this long resets the backoff. */
export const stableConnectionMs = 10_000;
/** Wait before re-sending a commit the server could not take right now (plus up to as much again of jitter). */
export const commitRetryMs = 1_500;
/** A history request not answered in this time stops showing "loading" (and can be tried again). */
export const historyTimeoutMs = 15_000;

function closeReason(code: number): string | null {
  switch (code) {
    case 1008: return "The server closed the connection because this tab sent too much too fast. Reconnecting.";
    case 1009: return "The server closed the connection because a message was too large. Reconnecting.";
    case 1003:
    case 1007: return "The server closed the connection because it could not read what this tab sent. Reconnecting.";
    default: return null;
  }
}

export class ChatSession {
  private state: ChatState;
  private readonly listeners = new Set<() => void>();
  private readonly coalescer: DraftCoalescer;

  private room: string;
  private name: string | null;
  private socket: SocketLike | null = null;
  private joined = false;
  private joinedAt = 0;
  private resyncSent = false;
  /** The server said it is shutting down: reconnect without backing off. */
  private goingAway = false;
  /** The server refused the name: no reconnecting until start() is called with a name again. */
  private halted = true;
  private attempt = 0;
  private reconnectTimer: unknown = null;
  private readonly retryTimers = new Set<unknown>();
  private historyTimer: unknown = null;
  /** One sender sequence for the life of the page: strictly increasing on every connection, across drafts. */
  private senderSeq = 0;

  constructor(room: string, name: string | null, private readonly env: SessionEnvironment) {
    this.room = room;
    this.name = name;
    this.state = initialChatState(room, name, env.isOnline());
    this.coalescer = new DraftCoalescer((text) => this.sendChunkFrame(text), chunkIntervalMs, env.clock);
  }

  // --- store (for useSyncExternalStore) ---

  readonly getState = (): ChatState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private dispatch(action: ChatAction): void {
    const next = chatReducer(this.state, action);
    if (next === this.state) return;
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  // --- life cycle ---

  /** Joins `room` as `name` on a new socket (closing any current one); nothing to join while name is null. */
  start(room: string, name: string | null): void {
    this.stop();
    this.room = room;
    this.name = name;
    this.halted = name === null;
    this.attempt = 0;
    this.dispatch({ type: "sessionStarted", room, name });
    if (!this.halted) this.connect();
  }

  /** Closes the socket and stops reconnecting; the state stays as it is. */
  stop(): void {
    this.halted = true;
    this.clearReconnect();
    for (const timer of this.retryTimers) this.env.clock.clearTimeout(timer);
    this.retryTimers.clear();
    this.clearHistoryTimer();
    this.coalescer.dispose();
    const socket = this.socket;
    if (socket !== null) {
      this.detach(socket);
      socket.close(1000, "leaving");
      this.dispatch({ type: "socketClosed" });
    }
  }

  /** The browser's online/offline events. */
  setOnline(online: boolean): void {
    this.dispatch({ type: "networkChanged", online });
    if (online && this.reconnectTimer !== null) {
      // Waiting to reconnect and the network is back: try now.
      this.clearReconnect();
      this.attempt = 0;
      this.connect();
    }
  }

  // --- what the user does ---

  /** The composer's whole current text; sent coalesced (at most one chunk per interval, the latest last). */
  sendChunk(text: string): void {
    this.coalescer.update(text);
  }

  /** Turns text into a message: shown at once as pending, confirmed by the server's commit event. */
  commitMessage(text: string): void {
    if (text.trim() === "") return;
    const id = this.env.newMessageId();
    // The commit clears the draft on the server: a chunk still waiting must not bring it back.
    this.coalescer.reset();
    this.dispatch({ type: "commitQueued", clientMessageId: id, text, at: this.env.now().toISOString() });
    this.send({ type: "commit", text, id });
  }

  cancelDraft(): void {
    this.coalescer.reset();
    this.send({ type: "cancel" });
  }

  retryMessage(clientMessageId: string): void {
    this.dispatch({ type: "commitRetried", clientMessageId });
    this.resendCommit(clientMessageId);
  }

  discardMessage(clientMessageId: string): void {
    this.dispatch({ type: "commitDiscarded", clientMessageId });
  }

  /**
   * Asks for the page of messages before the oldest one shown (scrolling back). Does nothing while a request is
   * on its way, when the room keeps nothing older, or before the tab has joined.
   */
  loadOlder(): void {
    const s = this.state;
    const oldest = s.messages[0];
    if (!s.moreHistory || s.historyRequest !== null || oldest === undefined || s.messages.length >= maxMessages) return;
    const before = oldest.seq;
    if (!this.send({ type: "history", before, limit: historyPageSize })) return;
    this.dispatch({ type: "historyRequested", before });
    this.clearHistoryTimer();
    this.historyTimer = this.env.clock.setTimeout(() => {
      this.historyTimer = null;
      this.dispatch({ type: "historyTimedOut", before });
    }, historyTimeoutMs);
  }

  dismissError(id: number): void {
    this.dispatch({ type: "errorDismissed", id });
  }

  // --- the socket ---

  private connect(): void {
    this.reconnectTimer = null;
    if (this.halted || this.name === null) return;
    const name = this.name;
    const room = this.room;
    this.dispatch({ type: "socketConnecting" });
    let socket: SocketLike;
    try {
      socket = this.env.openSocket();
    } catch (error) {
      this.env.warn("OrleansChat: cannot open the socket", error);
      this.dispatch({ type: "socketClosed" });
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.joined = false;
    this.joinedAt = 0;
    this.resyncSent = false;
    this.goingAway = false;

    socket.onopen = () => {
      this.dispatch({ type: "socketOpened" });
      socket.send(JSON.stringify({ type: "join", room, name } satisfies ClientFrame));
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== "string") return;
      const frame = parseServerFrame(event.data);
      if (frame === null) {
        this.env.warn("OrleansChat: ignored a frame this client does not understand", event.data);
        return;
      }
      this.receive(frame, socket);
    };
    socket.onclose = (event) => {
      this.detach(socket);
      const stable = this.joinedAt > 0 && this.env.clock.now() - this.joinedAt >= stableConnectionMs;
      // A server restart (goingAway, 1001 Going Away, 1012 Service Restart) is no failure of this tab.
      if (stable || this.goingAway || event.code === 1001 || event.code === 1012) this.attempt = 0;
      this.dispatch({ type: "socketClosed" });
      const reason = closeReason(event.code);
      if (reason !== null) this.dispatch({ type: "errorRaised", code: `closed_${event.code}`, message: reason });
      this.scheduleReconnect();
    };
    socket.onerror = () => {
      // A close event follows; it reconnects.
    };
  }

  private receive(frame: ServerFrame, socket: SocketLike): void {
    if (frame.type === "goingAway") {
      this.goingAway = true;
      return;
    }
    if (frame.type === "welcome") {
      this.joined = true;
      this.joinedAt = this.env.clock.now();
      this.resyncSent = false;
    }
    this.dispatch({ type: "server", frame });
    if (this.state.historyRequest === null) this.clearHistoryTimer();

    if (frame.type === "welcome") {
      // The server has the complete room now, but not what this tab still owes it: commits without a commit
      // event yet (same id: the server never stores one twice) and the current draft.
      for (const p of this.state.pending) {
        if (p.status === "sending") this.send({ type: "commit", text: p.text, id: p.clientMessageId });
      }
      this.coalescer.resend();
    } else if (frame.type === "error") {
      this.onError(frame, socket);
    } else if (this.state.needsResync && !this.resyncSent) {
      // A gap in the room sequence: ask for a fresh snapshot, once.
      this.resyncSent = this.send({ type: "resync" });
    }
  }

  private onError(frame: ErrorFrame, socket: SocketLike): void {
    if (nameErrorCodes.has(frame.code)) {
      // The name form comes back (the reducer flags it); wait for a new name.
      this.halted = true;
      this.detach(socket);
      socket.close(1000, "name refused");
      this.dispatch({ type: "socketClosed" });
      return;
    }
    if (!this.joined) {
      // The join failed (room full, room unavailable…): try again later on a new socket.
      socket.close(1000, "join failed");
      return;
    }
    const ref = frame.ref;
    if (ref && retryableCommitCodes.has(frame.code)) {
      const delay = commitRetryMs + this.env.random() * commitRetryMs;
      const timer = this.env.clock.setTimeout(() => {
        this.retryTimers.delete(timer);
        this.resendCommit(ref);
      }, delay);
      this.retryTimers.add(timer);
    }
  }

  private scheduleReconnect(): void {
    if (this.halted || this.reconnectTimer !== null) return;
    const delay = reconnectDelay(this.attempt, () => this.env.random());
    this.attempt += 1;
    this.reconnectTimer = this.env.clock.setTimeout(() => this.connect(), delay);
  }

  private clearHistoryTimer(): void {
    if (this.historyTimer !== null) {
      this.env.clock.clearTimeout(this.historyTimer);
      this.historyTimer = null;
    }
  }

  private clearReconnect(): void {
    if (this.reconnectTimer !== null) {
      this.env.clock.clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
    }
  }

  /** Forgets a socket: its late events are ignored. */
  private detach(socket: SocketLike): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    if (this.socket === socket) {
      this.socket = null;
      this.joined = false;
    }
  }

  private canSend(): boolean {
    return this.socket !== null && this.joined && this.socket.readyState === socketOpen;
  }

  /** Sends on the joined socket; false when there is none (nothing is sent then). */
  private send(frame: ClientFrame): boolean {
    if (!this.canSend() || this.socket === null) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private sendChunkFrame(text: string): boolean {
    if (!this.canSend()) return false;
    this.senderSeq += 1;
    return this.send({ type: "chunk", text, seq: this.senderSeq });
  }

  private resendCommit(clientMessageId: string): void {
    const pending = this.state.pending.find((p) => p.clientMessageId === clientMessageId && p.status === "sending");
    if (pending) this.send({ type: "commit", text: pending.text, id: pending.clientMessageId });
  }
}

/** The real browser: a WebSocket to /ws on this page's host. */
export function browserEnvironment(clock: Clock): SessionEnvironment {
  return {
    openSocket: () => {
      const url = new URL("/ws", window.location.href);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      url.hash = "";
      url.search = "";
      return new WebSocket(url);
    },
    clock,
    random: Math.random,
    isOnline: () => navigator.onLine,
    newMessageId: newClientMessageId,
    now: () => new Date(),
    warn: (message, detail) => console.warn(message, detail),
  };
}
