export * from './guards.js';
export * from './kafka.js';
export * from './redis.js';
export * from './settings.js';
export * from './unique-name.js';
export * from './wait-for.js';
export * from './bundles.js';
