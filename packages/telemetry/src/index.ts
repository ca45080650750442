export { startTelemetry, type Telemetry, type TelemetryOptions } from './start-telemetry.js';
export { createWorkerMetrics, type WorkerMetrics, type WorkerMetricsOptions } from './worker-metrics.js';
export {
  createReviewMetrics,
  type PrecisionFigure,
  type ReviewMetrics,
  type ReviewMetricsSources,
} from './review-metrics.js';
export { createRuntimeMetrics, type RuntimeMetrics, type RuntimeMetricsOptions } from './runtime-metrics.js';
export {
  extractTraceContext,
  injectTraceContext,
  withSpan,
  type KafkaHeaders,
  type SpanOptions,
} from './tracing.js';
export { createLogger, TEXT_REDACT_PATHS, type Logger, type LoggerOptions } from './logger.js';
