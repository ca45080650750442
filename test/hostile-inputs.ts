// Hostile inputs for the worker's end-to-end test: every kind of message that once stopped a stream, or
// could, each with where it must end up (labeled or a dead letter with a given reason).
import { syntheticText } from './worker-harness.js';

export interface HostileInput {
  kind: string;
  /** Kafka partition to produce it to (the 60 kB run goes to one partition, in a row). */
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string>;
  /** `labeled`, or the dead-letter reason. */
  expect: 'labeled' | string;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** Texts of valid hostile inputs come from a small pool: their inference is mostly shared or cached. */
function textPool(size: number): string[] {
  let seed = 7;
  const rand = () => ((seed = (seed * 16_807) % 2_147_483_647) - 1) / 2_147_483_646;
  return Array.from({ length: size }, (_, i) => syntheticText(rand, 900_000 + i));
}

type Make = (id: string, text: string, i: number) => Omit<HostileInput, 'partition' | 'kind'>;

/** The cheap kinds, taken in turn. */
const KINDS: Record<string, Make> = {
  malformed_json: (id) => ({
    key: Buffer.from(id),
    value: Buffer.from(`{"id":"${id}","text":`),
    expect: 'invalid_json',
  }),
  empty_text: (id) => ({ key: Buffer.from(id), value: json({ id, text: ' \n\t ' }), expect: 'empty_text' }),
  invalid_utf8: (id) => ({
    key: Buffer.from(id),
    value: Buffer.concat([
      Buffer.from(`{"id":"${id}","text":"`),
      Buffer.from([0xed, 0xa0, 0x80, 0xff]),
      Buffer.from('"}'),
    ]),
    expect: 'invalid_utf8',
  }),
  numeric_id: (id, text, i) => ({
    key: Buffer.from(id),
    value: json({ id: i, text }),
    expect: 'schema_violation',
  }),
  deep_nesting: (id) => ({
    key: Buffer.from(id),
    value: Buffer.from(
      `{"id":"${id}","text":"deep","metadata":{"a":${'['.repeat(5_000)}${']'.repeat(5_000)}}}`,
    ),
    expect: 'schema_violation',
  }),
  tombstone: (id) => ({ key: Buffer.from(id), value: null, expect: 'schema_violation' }),
  control_characters: (id, text) => ({
    key: Buffer.from(id),
    value: json({ id, text: `\u0000\u0007${text}\u001b[31m\u202e\ufeff\u0085` }),
    expect: 'labeled',
  }),
  combining_only: (id, _text, i) => ({
    key: Buffer.from(id),
    value: json({ id, text: '\u0301\u0302\u0303\u0308\u0327'.repeat(1 + (i % 40)) }),
    expect: 'labeled',
  }),
  invalid_traceparent: (id, text, i) => ({
    key: Buffer.from(id),
    value: json({ id, text }),
    headers: {
      traceparent: [
        '00-zz-yy-01',
        'ff'.repeat(600),
        '',
        '00-00000000000000000000000000000000-0000000000000000-01',
      ][i % 4]!,
      tracestate: `${'k'.repeat(300)}=${'v'.repeat(300)},`.repeat(10),
    },
    expect: 'labeled',
  }),
  labels_spoof: (id, text) => ({
    key: Buffer.from(id),
    value: json({
      id,
      text,
      labels: ['vulgarity'],
      scores: { vulgarity: 1 },
      schema: 'modstream.comment.v1',
    }),
    expect: 'labeled',
  }),
};

/**
 * `count` hostile inputs: the reproductions of issue #10 (one 800 kB comment; 300 comments of 60 kB in a
 * row on partition 0), 1 MB keys, duplicate ids with different texts, and the cheap kinds in turn.
 */
export function makeHostileInputs(count: number, partitions: number, idPrefix: string): HostileInput[] {
  const pool = textPool(300);
  const inputs: HostileInput[] = [];
  const add = (kind: string, partition: number, input: Omit<HostileInput, 'partition' | 'kind'>) =>
    inputs.push({ kind, partition, ...input });
  const big = (id: string, bytes: number) => json({ id, text: 'x '.repeat(bytes / 2) });

  add('text_800kb', 1, {
    key: Buffer.from(`${idPrefix}-800k`),
    value: big(`${idPrefix}-800k`, 800_000),
    expect: 'text_too_large',
  });
  for (let i = 0; i < 300; i++) {
    const id = `${idPrefix}-60k-${i}`;
    add('text_60kb', 0, { key: Buffer.from(id), value: big(id, 60_000), expect: 'text_too_large' });
  }
  for (let i = 0; i < 3; i++) {
    const id = `${idPrefix}-bigkey-${i}`;
    const key = Buffer.alloc(1_000_000 - 200, 0x6b + i);
    add('key_1mb', i + 1, { key, value: json({ id, text: pool[i]! }), expect: 'labeled' });
  }
  add('key_1mb_malformed', 2, {
    key: Buffer.alloc(1_000_000 - 200, 0x6a),
    value: Buffer.from('{'),
    expect: 'invalid_json',
  });
  for (let i = 0; i < 100; i++) {
    const id = `${idPrefix}-dup-${i}`;
    add('duplicate_id', i % partitions, {
      key: Buffer.from(id),
      value: json({ id, text: pool[i]! }),
      expect: 'labeled',
    });
    add('duplicate_id', (i + 1) % partitions, {
      key: Buffer.from(id),
      value: json({ id, text: pool[299 - i]! }),
      expect: 'labeled',
    });
  }

  for (let i = 0; i < 20; i++) {
    const id = `${idPrefix}-labelfields-${i}`;
    add('label_fields', i % partitions, {
      key: Buffer.from(id),
      value: json({
        id,
        text: pool[i]!,
        ...Object.fromEntries(Array.from({ length: 10_000 }, (_, n) => [`labels_${n}`, 0.9])),
      }),
      expect: 'schema_violation',
    });
  }

  const kinds = Object.entries(KINDS);
  for (let i = 0; inputs.length < count; i++) {
    const [kind, make] = kinds[i % kinds.length]!;
    add(kind, i % partitions, make(`${idPrefix}-${i}`, pool[i % pool.length]!, i));
  }
  return inputs;
}
