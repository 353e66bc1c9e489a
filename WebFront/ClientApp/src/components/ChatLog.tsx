import { useCallback, useLayoutEffect, useRef, useState } from "react";
import type { PendingMessage } from "../session/chatReducer.ts";
import type { ChatMessage } from "../session/protocol.ts";

interface ChatLogProps {
  readonly messages: readonly ChatMessage[];
  readonly pending: readonly PendingMessage[];
  readonly ownConnectionIds: readonly string[];
  readonly selfName: string;
  readonly onRetry: (clientMessageId: string) => void;
  readonly onDiscard: (clientMessageId: string) => void;
}

/** How close to the bottom (px) still counts as "reading the newest messages". */
const stickThreshold = 48;

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : timeFormat.format(date);
}

/**
 * Committed messages, then this tab's messages still on their way. Follows new messages while the reader is at
 * the bottom; a reader who scrolled up stays put and gets a button to jump to the newest.
 */
export function ChatLog({ messages, pending, ownConnectionIds, selfName, onRetry, onDiscard }: ChatLogProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [unseen, setUnseen] = useState(false);
  const lastMessage = messages[messages.length - 1];
  const lastPending = pending[pending.length - 1];

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
  }, []);

  // This tab just sent something: show it, wherever the reader was.
  useLayoutEffect(() => {
    if (lastPending !== undefined) scrollToBottom();
  }, [lastPending?.clientMessageId, scrollToBottom]);

  // Someone else's message: follow it only when the reader is at the bottom.
  useLayoutEffect(() => {
    if (atBottom.current) scrollToBottom();
    else if (lastMessage !== undefined) setUnseen(true);
  }, [lastMessage?.clientMessageId, messages.length, scrollToBottom]);

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

  const own = new Set(ownConnectionIds);
  return (
    <div className="log-area">
      <div className="log-scroller" ref={scroller} onScroll={onScroll} tabIndex={0} role="region" aria-label="Message history">
        {messages.length === 0 && pending.length === 0 && (
          <p className="log-empty">No messages yet. Say hello!</p>
        )}
        <ol aria-label="Messages" className="log">
          {messages.map((m) => (
            <li key={m.clientMessageId} className={own.has(m.connectionId) ? "message own" : "message"}>
              <div className="meta">
                <span className="who">{m.senderName}</span>
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
                <span className="who">{selfName}</span>
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
