import { useId, useState } from "react";
import type { FormEvent } from "react";
import { nameProblem } from "../session/room.ts";

interface NameFormProps {
  readonly initialName: string;
  readonly maxLength: number;
  /** Why the server refused the previous name, if it did. */
  readonly serverProblem: string | null;
  readonly onSubmit: (name: string) => void;
  readonly onCancel: (() => void) | null;
}

/** Asks for the display name others see; remembered in this browser. */
export function NameForm({ initialName, maxLength, serverProblem, onSubmit, onCancel }: NameFormProps) {
  const [value, setValue] = useState(initialName);
  const [problem, setProblem] = useState<string | null>(null);
  const inputId = useId();
  const problemId = useId();
  const shown = problem ?? serverProblem;

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const issue = nameProblem(value, maxLength);
    setProblem(issue);
    if (issue === null) onSubmit(value.trim());
  };

  return (
    <form aria-label="Choose a name" className="name-form" onSubmit={submit} noValidate>
      <label htmlFor={inputId}>Display name</label>
      <div className="name-row">
        <input
          id={inputId}
          type="text"
          value={value}
          maxLength={maxLength}
          autoComplete="nickname"
          autoFocus
          aria-invalid={shown !== null ? "true" : undefined}
          aria-describedby={shown !== null ? problemId : undefined}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit">Join</button>
        {onCancel !== null && <button type="button" className="secondary" onClick={onCancel}>Cancel</button>}
      </div>
      {shown !== null && <p id={problemId} className="field-problem">{shown}</p>}
      <p className="field-help">Others in the room see this name next to your messages.</p>
    </form>
  );
}
