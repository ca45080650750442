import { randomBytes } from 'node:crypto';

/**
 * A name no other test run uses, for topics, consumer groups and Redis key prefixes.
 * Only `[a-z0-9.-]` is added to the prefix, so the result is a valid Kafka topic name.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
