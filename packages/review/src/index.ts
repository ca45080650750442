export { ReviewBoard, type QueueItem, type ReviewBoardOptions } from './board.js';
export { DecisionDesk, type DecideResult, type DecisionDeskOptions, type DecisionRequest } from './desk.js';
export { ReviewFeed, type ReviewFeedOptions } from './feed.js';
export {
  exportFeedback,
  FEEDBACK_SOURCE,
  feedbackLine,
  type FeedbackExportOptions,
  type FeedbackExportResult,
} from './feedback-export.js';
export { FeedIngest, type FeedIngestOptions, type FeedStats, type ReviewLogger } from './ingest.js';
export { keptLabel, PrecisionTracker, type PrecisionRow } from './precision.js';
export {
  sourceKey,
  TextLookup,
  type TextLookupOptions,
  type TextResult,
  type TextSource,
} from './text-lookup.js';
