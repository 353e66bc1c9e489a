import type { ChatError } from "../session/chatReducer.ts";

interface ErrorAlertsProps {
  readonly errors: readonly ChatError[];
  readonly onDismiss: (id: number) => void;
}

/** What went wrong, in words, until the reader dismisses it. */
export function ErrorAlerts({ errors, onDismiss }: ErrorAlertsProps) {
  if (errors.length === 0) return null;
  return (
    <div className="alerts">
      {errors.map((e) => (
        <div key={e.id} role="alert" className="alert" data-code={e.code}>
          <p>
            {e.message}
            {e.count > 1 && <span className="repeat"> (×{e.count})</span>}
          </p>
          <button type="button" onClick={() => onDismiss(e.id)} aria-label={`Dismiss: ${e.message}`}>Dismiss</button>
        </div>
      ))}
    </div>
  );
}
