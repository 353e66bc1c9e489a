import { useId, useRef } from "react";
import type { ChangeEvent, CompositionEvent, FormEvent, KeyboardEvent } from "react";

interface ChatComposerProps {
  readonly text: string;
  readonly maxLength: number;
  /** The text changed (typing, paste, cut, delete, IME done): update the composer and send the draft. */
  readonly onTextChange: (text: string, sendNow: boolean) => void;
  readonly onSubmit: (text: string) => void;
  readonly onCancel: () => void;
}

/** Show the character counter once the text is this close to the limit (a share of it). */
const counterThreshold = 0.8;

/**
 * The message box. Enter sends, Shift+Enter is a new line, Esc discards the draft. While an input method is
 * composing, the text is not sent (it would show half-built characters); compositionend sends it.
 */
export function ChatComposer({ text, maxLength, onTextChange, onSubmit, onCancel }: ChatComposerProps) {
  const composing = useRef(false);
  const helpId = useId();
  const counterId = useId();

  const submit = () => {
    if (text.trim() === "") return;
    onSubmit(text);
  };

  const onChange = (e: ChangeEvent<HTMLTextAreaElement>) => {
    const native = e.nativeEvent as InputEvent;
    const isComposing = composing.current || native.isComposing === true;
    onTextChange(e.target.value, !isComposing);
  };

  const onCompositionStart = () => {
    composing.current = true;
  };

  const onCompositionEnd = (e: CompositionEvent<HTMLTextAreaElement>) => {
    composing.current = false;
    onTextChange(e.currentTarget.value, true);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // keyCode 229: a key the input method is handling (Safari reports isComposing late).
    if (e.nativeEvent.isComposing || composing.current || e.keyCode === 229) return;
    if (e.key === "Enter" && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      submit();
    } else if (e.key === "Escape" && text !== "") {
      e.preventDefault();
      onCancel();
    }
  };

  const onFormSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    submit();
  };

  const showCounter = text.length >= Math.floor(maxLength * counterThreshold);
  const left = maxLength - text.length;
  return (
    <form className="composer" onSubmit={onFormSubmit}>
      <div className="composer-row">
        <textarea
          aria-label="Message"
          aria-describedby={showCounter ? `${helpId} ${counterId}` : helpId}
          value={text}
          maxLength={maxLength}
          rows={2}
          placeholder="Type a message…"
          autoComplete="off"
          autoFocus
          enterKeyHint="send"
          onChange={onChange}
          onCompositionStart={onCompositionStart}
          onCompositionEnd={onCompositionEnd}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="send">Send</button>
      </div>
      <div className="composer-foot">
        <span id={helpId} className="keys">Enter sends · Shift+Enter new line · Esc discards</span>
        {showCounter && (
          <span id={counterId} className={left <= 0 ? "counter full" : "counter"} aria-live="polite">
            {left <= 0 ? `Limit reached (${maxLength} characters)` : `${left} characters left`}
          </span>
        )}
      </div>
    </form>
  );
}
