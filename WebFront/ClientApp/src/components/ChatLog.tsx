import { useCallback, useLayoutEffect, useRef, useState } from "react";
import type { PendingMessage } from "../session/chatReducer.ts";
import type { NameTagger } from "../session/nameTags.ts";
import type { ChatMessage } from "../session/protocol.ts";
import { ParticipantName } from "./ParticipantName.tsx";

interface ChatLogProps {
  readonly messages: readonly ChatMessage[];
  readonly pending: readonly PendingMessage[];
  /** The room keeps messages older than the first one shown. */
  readonly moreHistory: boolean;
  /** Older messages were asked for and are on their way. */
  readonly historyLoading: boolean;
  /** Why loading older messages failed, if it did. */
  readonly historyError: string | null;
  /** Asks for older messages (does nothing while a request is on its way). */
  readonly onLoadOlder: () => void;
  readonly ownConnectionIds: readonly string[];
  readonly selfName: string;
  /** This tab's connection id, for the tag of its own messages still on their way. */
  readonly selfConnectionId: string | null;
  /** Tags for names that more than one participant has. */
  readonly tagFor: NameTagger;
  readonly onRetry: (clientMessageId: string) => void;
  readonly onDiscard: (clientMessageId: string) => void;
}

/** How close to the bottom (px) still counts as "reading the newest messages". */
const stickThreshold = 48;
/** How close to the top (px) a reader scrolls before older messages are fetched, so they are there on arrival. */
const loadOlderThreshold = 400;

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : timeFormat.format(date);
}

/**
 * Committed messages, then this tab's messages still on their way. Follows new messages while the reader is at
 * the bottom; a reader who scrolled up stays put and gets a button to jump to the newest. Scrolling to the top
 * loads older messages, page by page, without moving what the reader is looking at, down to the start of what
 * the room keeps.
 */
export function ChatLog(props: ChatLogProps) {
  const { messages, pending, moreHistory, historyLoading, historyError, onLoadOlder } = props;
  const { ownConnectionIds, selfName, selfConnectionId, tagFor, onRetry, onDiscard } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  /** The scroll height and first message as last rendered: a page added above moves the content by the difference. */
  const rendered = useRef<{ height: number; firstId: string | undefined }>({ height: 0, firstId: undefined });
  const [unseen, setUnseen] = useState(false);
  const firstMessage = messages[0];
  const lastMessage = messages[messages.length - 1];
  const lastPending = pending[pending.length - 1];
  const canLoadOlder = moreHistory && !historyLoading && historyError === null;

  const scrollToBottom = useCallback(() => {
    const el = scroller.current;
    if (el !== null) el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setUnseen(false);
  }, []);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (el === null) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight <= stickThreshold;
    if (atBottom.current) setUnseen(false);
    if (canLoadOlder && el.scrollTop <= loadOlderThreshold) onLoadOlder();
  }, [canLoadOlder, onLoadOlder]);

  // Older messages were added above: keep the ones the reader was looking at where they were.
  useLayoutEffect(() => {
    const el = scroller.current;
    const before = rendered.current;
    if (el === null || before.firstId === undefined || firstMessage?.clientMessageId === before.firstId) return;
    const index = messages.findIndex((m) => m.clientMessageId === before.firstId);
    if (index > 0 && !atBottom.current) el.scrollTop += el.scrollHeight - before.height;
  }, [firstMessage?.clientMessageId, messages]);

  // This tab just sent something: show it, wherever the reader was.
  useLayoutEffect(() => {
    if (lastPending !== undefined) scrollToBottom();
  }, [lastPending?.clientMessageId, scrollToBottom]);

  // Someone else's message: follow it only when the reader is at the bottom.
  useLayoutEffect(() => {
    if (atBottom.current) scrollToBottom();
    else if (lastMessage !== undefined) setUnseen(true);
  }, [lastMessage?.clientMessageId, scrollToBottom]);

  // The viewport changed (phone keyboard, window resize): keep the newest in view if it was.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null || typeof ResizeObserver === "undefined") return undefined;
    const observer = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Last of the layout effects: what this render left, for the next one to compare with.
  useLayoutEffect(() => {
    const el = scroller.current;
    rendered.current = { height: el?.scrollHeight ?? 0, firstId: firstMessage?.clientMessageId };
  });

  const own = new Set(ownConnectionIds);
  return (
    <div className="log-area">
      <div className="log-scroller" ref={scroller} onScroll={onScroll} tabIndex={0} role="region" aria-label="Message history">
        {messages.length === 0 && pending.length === 0 && !moreHistory && (
          <p className="log-empty">No messages yet. Say hello!</p>
        )}
        {messages.length > 0 && !moreHistory && (
          <p className="log-edge" data-testid="history-start">This is the start of the conversation.</p>
        )}
        {moreHistory && historyLoading && (
          <p className="log-edge" data-testid="history-loading" role="status">Loading older messages…</p>
        )}
        {moreHistory && !historyLoading && historyError !== null && (
          <p className="log-edge" data-testid="history-error" role="alert">
            <span>{historyError}</span>{" "}
            <button type="button" className="link-button" onClick={onLoadOlder}>Try again</button>
          </p>
        )}
        {canLoadOlder && (
          <p className="log-edge">
            <button type="button" className="link-button" data-testid="load-older" onClick={onLoadOlder}>Load older messages</button>
          </p>
        )}
        <ol aria-label="Messages" className="log">
          {messages.map((m) => (
            <li key={m.clientMessageId} className={own.has(m.connectionId) ? "message own" : "message"}>
              <div className="meta">
                <span className="who"><ParticipantName name={m.senderName} connectionId={m.connectionId} tagFor={tagFor} /></span>
                <time dateTime={m.sentAt}>{formatTime(m.sentAt)}</time>
              </div>
              <div className="text">{m.text}</div>
            </li>
          ))}
          {pending.map((p) => (
            <li
              key={`pending-${p.clientMessageId}`}
              className={p.status === "failed" ? "message own pending failed" : "message own pending"}
              aria-busy={p.status === "sending" ? "true" : undefined}
            >
              <div className="meta">
                <span className="who">{selfConnectionId === null ? <bdi>{selfName}</bdi> : <ParticipantName name={selfName} connectionId={selfConnectionId} tagFor={tagFor} />}</span>
                <span className="state">{p.status === "sending" ? "sending…" : "not sent"}</span>
              </div>
              <div className="text">{p.text}</div>
              {p.status === "failed" && (
                <div className="failure">
                  <span>{p.error}</span>
                  <button type="button" onClick={() => onRetry(p.clientMessageId)}>Retry</button>
                  <button type="button" onClick={() => onDiscard(p.clientMessageId)}>Discard</button>
                </div>
              )}
            </li>
          ))}
        </ol>
      </div>
      {unseen && (
        <button type="button" className="jump" onClick={scrollToBottom}>New messages ↓</button>
      )}
    </div>
  );
}
