export { COMMENT_SCHEMA, commentSchema, passthroughFields, type Comment } from './comment.js';
export {
  decodeComment,
  type DecodeFailureReason,
  type DecodeOptions,
  type DecodeResult,
} from './decode-comment.js';
export { sourceSchema, type EventSource } from './source.js';
export { roundScore, roundScores, SCORE_DECIMALS } from './scores.js';
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
  DEAD_LETTER_MAX_KEY_BYTES,
  DEFAULT_DEAD_LETTER_MAX_ORIGINAL_BYTES,
  buildDeadLetter,
  deadLetterKey,
  encodeDeadLetter,
  type DeadLetterEvent,
  type DeadLetterFields,
  type DeadLetterReason,
  type PipelineFailureReason,
  type ReviewFailureReason,
} from './dead-letter.js';
export {
  DECISION_SCHEMA,
  DECISIONS,
  UNKNOWN_THRESHOLDS_VERSION,
  decisionEventSchema,
  buildDecisionEvent,
  decodeDecision,
  encodeDecision,
  InvalidDecisionError,
  type Decision,
  type DecisionEvent,
  type DecisionEventFields,
} from './decision.js';
export {
  decodeEvent,
  type EventDecodeFailure,
  type EventDecodeFailureReason,
  type EventDecodeResult,
} from './decode-event.js';
export {
  REVIEW_SCHEMA,
  reviewEventSchema,
  buildReviewEvent,
  decodeReview,
  encodeReview,
  type ReviewEvent,
  type ReviewEventFields,
} from './review.js';
export {
  SHADOW_SCHEMA,
  shadowEventSchema,
  buildShadowEvent,
  encodeShadow,
  type ShadowEvent,
  type ShadowEventFields,
  type ShadowVerdict,
} from './shadow.js';
export { jsonSchemaDocuments } from './json-schemas.js';
export { messageBytes, type ConsumedRecord, type OutboundMessage } from './records.js';
