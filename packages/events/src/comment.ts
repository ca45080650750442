import { z } from 'zod';

export const COMMENT_SCHEMA = 'modstream.comment.v1';

const shortString = z.string().max(256);

/** Input event. Fields beyond these are allowed and passed through to the output events. */
export const commentSchema = z
  .looseObject({
    schema: z.literal(COMMENT_SCHEMA).optional(),
    id: z.string().min(1).max(256),
    text: z.string(),
    author: shortString.optional(),
    thread: shortString.optional(),
    created_at: z.string().max(64).optional(),
    language: z.string().max(35).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({
    title: COMMENT_SCHEMA,
    description:
      'A comment to classify. Extra fields are passed through to the labeled and review events; ' +
      'together they are bounded in serialised size by the same byte limit as the text.',
  });

export type Comment = z.output<typeof commentSchema>;

const CORE_FIELDS = new Set(['schema', 'id', 'text']);

/** Every field of the comment except schema, id and text (author, thread, metadata, extras). */
export function passthroughFields(comment: Comment): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(comment)) {
    if (!CORE_FIELDS.has(name)) fields[name] = value;
  }
  return fields;
}
