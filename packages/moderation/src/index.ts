export * from './inference-batcher.js';
export * from './metrics.js';
export * from './output-builder.js';
export * from './output-kinds.js';
export * from './pipeline.js';
export * from './routing.js';
export { ScoreResolver, type ResolvedScores, type ScoreResult } from './score-resolver.js';
export * from './shadow-report.js';
export * from './shadow-scorer.js';
