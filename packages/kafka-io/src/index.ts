export * from './admin.js';
export * from './client.js';
export * from './consume-loop.js';
export * from './producer.js';
export * from './read-topic.js';
export * from './records.js';
export * from './refusals.js';
