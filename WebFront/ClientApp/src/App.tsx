import { useCallback, useEffect, useMemo, useState } from "react";
import { ChatComposer } from "./components/ChatComposer.tsx";
import { ChatHeader } from "./components/ChatHeader.tsx";
import { ChatLog } from "./components/ChatLog.tsx";
import { DraftPanel } from "./components/DraftPanel.tsx";
import { ErrorAlerts } from "./components/ErrorAlerts.tsx";
import { NameForm } from "./components/NameForm.tsx";
import { nameErrorCodes } from "./session/chatReducer.ts";
import { nameTagger } from "./session/nameTags.ts";
import { defaultRoom, isValidRoom, loadName, roomFromLocation, saveName } from "./session/room.ts";
import { useChatSession } from "./session/useChatSession.ts";

function TypingHint({ room }: { readonly room: string }) {
  return (
    <p className="hint">
      <span aria-hidden="true" className="hint-dot" />
      Live typing: everyone in #{room} can see what you type while you type it, before you send it.
    </p>
  );
}

/** The whole page: header, errors, and either the name form or the chat (log, live drafts, composer). */
export function App() {
  const [room, setRoom] = useState(() => roomFromLocation(window.location));
  const [name, setName] = useState<string | null>(() => loadName());
  const [generation, setGeneration] = useState(0);
  const [editingName, setEditingName] = useState(false);
  const [draft, setDraft] = useState("");

  const roomValid = isValidRoom(room);
  const session = useChatSession(room, roomValid ? name : null, generation);
  const { state, status } = session;

  // `#room` links and back/forward move between rooms without a reload.
  useEffect(() => {
    const follow = () => setRoom(roomFromLocation(window.location));
    window.addEventListener("hashchange", follow);
    window.addEventListener("popstate", follow);
    return () => {
      window.removeEventListener("hashchange", follow);
      window.removeEventListener("popstate", follow);
    };
  }, []);

  useEffect(() => {
    document.title = `#${room} · OrleansChat`;
  }, [room]);

  const chooseName = useCallback((chosen: string) => {
    saveName(chosen);
    setName(chosen);
    setGeneration((g) => g + 1);
    setEditingName(false);
  }, []);

  const { sendChunk, commitMessage, cancelDraft } = session;
  const onTextChange = useCallback((text: string, sendNow: boolean) => {
    setDraft(text);
    if (sendNow) sendChunk(text);
  }, [sendChunk]);
  const onSubmit = useCallback((text: string) => {
    commitMessage(text);
    setDraft("");
  }, [commitMessage]);
  const onCancel = useCallback(() => {
    setDraft("");
    cancelDraft();
  }, [cancelDraft]);

  const askName = name === null || editingName || state.nameRejected;
  const nameRefusal = state.nameRejected
    ? [...state.errors].reverse().find((e) => nameErrorCodes.has(e.code))?.message ?? "The server refused that name."
    : null;
  const shownName = state.self?.name ?? name;
  const selfConnectionId = state.self?.connectionId ?? null;
  const tagFor = useMemo(() => nameTagger(state.participants), [state.participants]);

  const nameForm = (
    <NameForm
      key={`${generation}-${state.nameRejected ? "refused" : "ok"}`}
      initialName={name ?? ""}
      maxLength={state.limits.maxNameLength}
      serverProblem={nameRefusal}
      onSubmit={chooseName}
      onCancel={name !== null && !state.nameRejected ? () => setEditingName(false) : null}
    />
  );

  return (
    <div className="app">
      <ChatHeader
        room={room}
        name={askName && name === null ? null : shownName}
        status={status}
        participants={state.participants}
        selfConnectionId={selfConnectionId}
        onChangeName={name !== null && !askName ? () => setEditingName(true) : null}
        tagFor={tagFor}
      />
      <ErrorAlerts errors={state.errors} onDismiss={session.dismissError} />
      {!roomValid ? (
        <main className="intro">
          <h2>“{room}” is not a room name</h2>
          <p>Room names are 1–64 letters, digits, “-” or “_”, starting with a letter or digit.</p>
          <p><a href={`/#${defaultRoom}`}>Go to #{defaultRoom}</a></p>
        </main>
      ) : name === null ? (
        <main className="intro">
          <h2>Join #{room}</h2>
          <TypingHint room={room} />
          {nameForm}
        </main>
      ) : (
        <main className="chat">
          <TypingHint room={room} />
          <ChatLog
            messages={state.messages}
            pending={state.pending}
            moreHistory={state.moreHistory}
            historyLoading={state.historyRequest !== null}
            historyError={state.historyError}
            onLoadOlder={session.loadOlder}
            ownConnectionIds={state.ownConnectionIds}
            selfName={shownName ?? ""}
            selfConnectionId={selfConnectionId}
            tagFor={tagFor}
            onRetry={session.retryMessage}
            onDiscard={session.discardMessage}
          />
          <DraftPanel participants={state.participants} drafts={state.drafts} selfConnectionId={selfConnectionId} tagFor={tagFor} />
          {askName ? nameForm : (
            <ChatComposer
              text={draft}
              maxLength={state.limits.maxDraftLength}
              onTextChange={onTextChange}
              onSubmit={onSubmit}
              onCancel={onCancel}
            />
          )}
        </main>
      )}
    </div>
  );
}
