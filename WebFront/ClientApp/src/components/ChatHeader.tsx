import type { ConnectionStatus } from "../session/chatReducer.ts";
import type { NameTagger } from "../session/nameTags.ts";
import type { Participant } from "../session/protocol.ts";
import { ParticipantName } from "./ParticipantName.tsx";

export const statusText: Readonly<Record<ConnectionStatus, string>> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

interface ChatHeaderProps {
  readonly room: string;
  /** The display name in use; null before one was chosen. */
  readonly name: string | null;
  readonly status: ConnectionStatus;
  readonly participants: readonly Participant[];
  readonly selfConnectionId: string | null;
  readonly onChangeName: (() => void) | null;
  /** Tags for names that more than one participant has. */
  readonly tagFor: NameTagger;
}

/** The room, who this tab is, the connection state and everyone in the room. */
export function ChatHeader({ room, name, status, participants, selfConnectionId, onChangeName, tagFor }: ChatHeaderProps) {
  return (
    <header className="chat-header">
      <div className="title-row">
        <h1>OrleansChat</h1>
        <span className="room" title="Room">#{room}</span>
        <span role="status" aria-label="Connection status" className={`status status-${status}`}>
          {statusText[status]}
        </span>
      </div>
      <div className="who-row">
        {name !== null && (
          <p className="me">
            <span>You are <strong>{selfConnectionId === null ? <bdi>{name}</bdi> : <ParticipantName name={name} connectionId={selfConnectionId} tagFor={tagFor} />}</strong></span>
            {onChangeName !== null && (
              <button type="button" className="link-button" onClick={onChangeName}>Change name</button>
            )}
          </p>
        )}
        <div className="participants-box">
          {participants.length > 0 && (
            <span className="participants-label" aria-hidden="true">{participants.length} here:</span>
          )}
          <ul aria-label="Participants" className="participants">
            {participants.map((p) => (
              <li
                key={p.connectionId}
                className={p.connectionId === selfConnectionId ? "participant self" : "participant"}
                aria-current={p.connectionId === selfConnectionId ? "true" : undefined}
                title={p.name}
              >
                <ParticipantName name={p.name} connectionId={p.connectionId} tagFor={tagFor} />
              </li>
            ))}
          </ul>
        </div>
      </div>
    </header>
  );
}
