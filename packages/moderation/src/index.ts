export * from './inference-batcher.js';
export * from './pipeline.js';
export * from './routing.js';
export * from './shadow-report.js';
export * from './shadow-scorer.js';
