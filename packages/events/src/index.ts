export { COMMENT_SCHEMA, commentSchema, passthroughFields, type Comment } from './comment.js';
export {
  decodeComment,
  type DecodeFailureReason,
  type DecodeOptions,
  type DecodeResult,
} from './decode-comment.js';
export { sourceSchema, type EventSource } from './source.js';
export { roundScores, SCORE_DECIMALS } from './scores.js';
export {
  LABELED_SCHEMA,
  labeledEventSchema,
  buildLabeledEvent,
  encodeLabeled,
  type LabeledEvent,
  type LabeledEventFields,
} from './labeled.js';
export {
  DEAD_LETTER_SCHEMA,
  deadLetterSchema,
  buildDeadLetter,
  encodeDeadLetter,
  type DeadLetterEvent,
  type DeadLetterFields,
} from './dead-letter.js';
export {
  REVIEW_SCHEMA,
  reviewEventSchema,
  buildReviewEvent,
  encodeReview,
  type ReviewEvent,
  type ReviewEventFields,
} from './review.js';
export { jsonSchemaDocuments } from './json-schemas.js';
export type { ConsumedRecord, OutboundMessage } from './records.js';
