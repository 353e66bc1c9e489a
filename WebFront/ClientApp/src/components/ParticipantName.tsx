import type { NameTagger } from "../session/nameTags.ts";

interface ParticipantNameProps {
  readonly name: string;
  readonly connectionId: string;
  readonly tagFor: NameTagger;
}

/**
 * A display name, isolated for bidi (a right-to-left name cannot move what follows it), and, when another
 * participant has the same name, the short connection tag that tells them apart ("Ana · 3f2a").
 */
export function ParticipantName({ name, connectionId, tagFor }: ParticipantNameProps) {
  const tag = tagFor(connectionId, name);
  return (
    <>
      <bdi className="name">{name}</bdi>
      {tag !== null && (
        <span className="name-tag" data-name-tag={tag} title="Someone else here has the same name: the tag tells you apart">
          {" · "}{tag}
        </span>
      )}
    </>
  );
}
