import { z } from 'zod';
import { commentSchema, COMMENT_SCHEMA } from './comment.js';
import { deadLetterSchema, DEAD_LETTER_SCHEMA } from './dead-letter.js';
import { decisionEventSchema, DECISION_SCHEMA } from './decision.js';
import { labeledEventSchema, LABELED_SCHEMA } from './labeled.js';
import { reviewEventSchema, REVIEW_SCHEMA } from './review.js';
import { shadowEventSchema, SHADOW_SCHEMA } from './shadow.js';

/** JSON Schema documents by file name, as committed under packages/events/schemas/. */
export function jsonSchemaDocuments(): Record<string, unknown> {
  return {
    [`${COMMENT_SCHEMA}.schema.json`]: z.toJSONSchema(commentSchema, { io: 'input' }),
    [`${LABELED_SCHEMA}.schema.json`]: z.toJSONSchema(labeledEventSchema, { io: 'output' }),
    [`${DEAD_LETTER_SCHEMA}.schema.json`]: z.toJSONSchema(deadLetterSchema, { io: 'output' }),
    [`${REVIEW_SCHEMA}.schema.json`]: z.toJSONSchema(reviewEventSchema, { io: 'output' }),
    [`${SHADOW_SCHEMA}.schema.json`]: z.toJSONSchema(shadowEventSchema, { io: 'output' }),
    [`${DECISION_SCHEMA}.schema.json`]: z.toJSONSchema(decisionEventSchema, { io: 'output' }),
  };
}
