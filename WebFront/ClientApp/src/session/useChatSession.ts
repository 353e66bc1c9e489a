// Binds a ChatSession (the one owner of the WebSocket) to React.
import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { connectionStatus } from "./chatReducer.ts";
import type { ChatState, ConnectionStatus } from "./chatReducer.ts";
import { ChatSession, browserEnvironment } from "./chatSession.ts";
import { browserClock } from "./draftCoalescer.ts";

export interface ChatSessionView {
  readonly state: ChatState;
  readonly status: ConnectionStatus;
  /** The composer's whole current text (sent coalesced). */
  sendChunk(text: string): void;
  /** Turns text into a message (optimistic: pending until the server's commit event). */
  commitMessage(text: string): void;
  /** Discards the draft for everyone. */
  cancelDraft(): void;
  retryMessage(clientMessageId: string): void;
  discardMessage(clientMessageId: string): void;
  /** Asks for the messages before the oldest one shown (scrollback). */
  loadOlder(): void;
  dismissError(id: number): void;
}

/**
 * Connects to `room` as `name` (nothing happens while it is null) and reconnects until the page, the room or the
 * name changes. `generation` starts a new session for the same name (after the server refused it, for instance).
 */
export function useChatSession(room: string, name: string | null, generation = 0): ChatSessionView {
  const [session] = useState(() => new ChatSession(room, name, browserEnvironment(browserClock)));
  const state = useSyncExternalStore(session.subscribe, session.getState);

  useEffect(() => {
    session.start(room, name);
    return () => session.stop();
  }, [session, room, name, generation]);

  useEffect(() => {
    const online = () => session.setOnline(true);
    const offline = () => session.setOnline(false);
    window.addEventListener("online", online);
    window.addEventListener("offline", offline);
    return () => {
      window.removeEventListener("online", online);
      window.removeEventListener("offline", offline);
    };
  }, [session]);

  const actions = useMemo(() => ({
    sendChunk: (text: string) => session.sendChunk(text),
    commitMessage: (text: string) => session.commitMessage(text),
    cancelDraft: () => session.cancelDraft(),
    retryMessage: (id: string) => session.retryMessage(id),
    discardMessage: (id: string) => session.discardMessage(id),
    loadOlder: () => session.loadOlder(),
    dismissError: (id: number) => session.dismissError(id),
  }), [session]);

  return useMemo(() => ({ state, status: connectionStatus(state), ...actions }), [state, actions]);
}
