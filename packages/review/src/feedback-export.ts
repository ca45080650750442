import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { decodeDecision, type DecisionEvent } from '@modstream/events';
import { readTopic, type KafkaClient } from '@modstream/kafka-io';
import { sourceKey, TextLookup } from './text-lookup.js';

/** The `source` column of exported rows (the silver set's rows say reddit, twitter, ...). */
export const FEEDBACK_SOURCE = 'moderation';

export interface FeedbackExportOptions {
  client: KafkaClient;
  decisionsTopic: string;
  /** Only decisions with decided_at at or after this (the first decision per comment is kept either way). */
  since?: Date;
  out: Writable;
  /** The model's labels in model order: the label columns of every row. */
  labels: readonly string[];
  /** Decisions whose texts are fetched together (default 500). */
  batchSize?: number;
  /** Prefix of the throwaway consumer group that reads the decisions topic. */
  groupIdPrefix?: string;
}

export interface FeedbackExportResult {
  /** Valid decision events read. */
  decisions: number;
  /** Messages of the decisions topic that are not valid decision events. */
  invalid: number;
  /** Later decisions on a comment decided already (the first one wins). */
  duplicates: number;
  /** First decisions made before `since`. */
  beforeSince: number;
  /** First decisions with a label the `labels` columns do not have (another model's labels): not written. */
  unknownLabels: number;
  /** Comments whose input is gone from the log (or no longer decodes): not written. */
  gone: number;
  /** Rows written. */
  written: number;
}

/**
 * One training row (a JSON line): id, source "moderation", text, and every label of `labels` as 0/1 in that
 * order, 1 for the labels the moderator says hold. The format of the silver set's rows, which
 * `python -m training.train --data` reads.
 */
export function feedbackLine(decision: DecisionEvent, text: string, labels: readonly string[]): string {
  const row: Record<string, string | number> = { id: decision.id, source: FEEDBACK_SOURCE, text };
  const held = new Set(decision.labels);
  for (const label of labels) row[label] = held.has(label) ? 1 : 0;
  return `${JSON.stringify(row)}\n`;
}

/**
 * Reads the decisions topic once (to the end it had at the start), keeps the first decision per comment,
 * fetches the decided comments' texts from the input topics, and writes them as training rows to `out`
 * (which it does not end). Throws only where Kafka cannot be read (KafkaConnectError, TopicNotFoundError)
 * or `out` fails.
 */
export async function exportFeedback(options: FeedbackExportOptions): Promise<FeedbackExportResult> {
  const result: FeedbackExportResult = {
    decisions: 0,
    invalid: 0,
    duplicates: 0,
    beforeSince: 0,
    unknownLabels: 0,
    gone: 0,
    written: 0,
  };
  const first = new Map<string, DecisionEvent>();
  await readTopic(options.client, options.decisionsTopic, {
    groupIdPrefix: options.groupIdPrefix ?? 'modstream-feedback-export',
    onRecord: (record) => {
      const decoded = decodeDecision(record.value);
      if (!decoded.ok) {
        result.invalid++;
        return;
      }
      result.decisions++;
      if (first.has(decoded.event.id)) result.duplicates++;
      else first.set(decoded.event.id, decoded.event);
    },
  });

  const columns = new Set(options.labels);
  const since = options.since?.getTime();
  const kept: DecisionEvent[] = [];
  for (const decision of first.values()) {
    if (since !== undefined && Date.parse(decision.decided_at) < since) result.beforeSince++;
    else if (decision.labels.some((label) => !columns.has(label))) result.unknownLabels++;
    else kept.push(decision);
  }

  const batchSize = options.batchSize ?? 500;
  const lookup = new TextLookup(options.client, { maxEntries: 0 });
  try {
    for (let start = 0; start < kept.length; start += batchSize) {
      const batch = kept.slice(start, start + batchSize);
      const texts = await lookup.get(batch.map((d) => ({ ...d.source, id: d.id })));
      for (const decision of batch) {
        const text = texts.get(sourceKey(decision.source));
        if (text === undefined || 'gone' in text) {
          result.gone++;
          continue;
        }
        if (!options.out.write(feedbackLine(decision, text.text, options.labels)))
          await once(options.out, 'drain');
        result.written++;
      }
    }
  } finally {
    await lookup.close();
  }
  return result;
}
