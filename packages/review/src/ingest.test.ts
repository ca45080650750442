import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  deadLetterSchema,
  encodeDecision,
  type ConsumedRecord,
  type OutboundMessage,
} from '@modstream/events';
import { ReviewBoard } from './board.js';
import { decision, review } from './events-fake.js';
import { FeedIngest } from './ingest.js';

let offset = 0;
function record(topic: string, value: Buffer | string | null, key = 'c1'): ConsumedRecord {
  return {
    topic,
    partition: 0,
    offset: String(offset++),
    key: Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    headers: {},
    timestamp: 1_000 + offset,
  };
}

it('review and decision events update the board; invalid ones become dead letters and are skipped', async () => {
  const board = new ReviewBoard();
  const published: OutboundMessage[] = [];
  const warnings: object[] = [];
  const ingest = new FeedIngest({
    board,
    decisionsTopic: 'decisions',
    deadLetterTopic: 'decisions.dlq',
    publish: async (messages) => void published.push(...messages),
    logger: { info: () => undefined, warn: (fields) => void warnings.push(fields), error: () => undefined },
  });

  const { decided_at: _at, schema: _schema, ...fields } = decision('c1', { decision: 'approve', labels: [] });
  const secret = 'the comment text must not be logged';
  const inputs = [
    record('comments.review', JSON.stringify(review('c1'))),
    record('comments.review', JSON.stringify(review('c2'))),
    record('comments.review', JSON.stringify(review('c2'))),
    record('comments.review', `{"schema":"modstream.review.v1","id":"c3","text":"${secret}"`, 'c3'),
    record('decisions', '{"id":"c2","decision":"maybe"}', 'c2'),
    record('decisions', null, 'c2'),
    record('decisions', Buffer.from([0xff, 0xfe]), 'c2'),
    record(
      'decisions',
      JSON.stringify({ ...JSON.parse(encodeDecision(fields).toString()), labels: ['vulgarity'] }),
    ),
    record('decisions', encodeDecision(fields)),
    record('decisions', encodeDecision({ ...fields, moderator: 'bob' })),
  ];
  for (const input of inputs) await ingest.handle(input);

  assert.deepEqual(ingest.stats, {
    reviews: 2,
    reviewsSkipped: 1,
    decisions: 1,
    decisionsDuplicate: 1,
    deadLetters: 5,
  });
  assert.equal(board.decision('c1')?.moderator, 'alice');
  assert.deepEqual(
    board.queue('comments.review').map((item) => item.id),
    ['c2'],
  );

  const letters = published.map((message) => deadLetterSchema.parse(JSON.parse(message.value.toString())));
  assert.deepEqual(
    letters.map((letter) => [
      letter.reason,
      letter.error.message.split(':')[0],
      letter.source.topic,
      letter.source.offset,
    ]),
    [
      ['review_invalid', 'invalid_json', 'comments.review', inputs[3]!.offset],
      ['decision_invalid', 'schema_violation', 'decisions', inputs[4]!.offset],
      ['decision_invalid', 'schema_violation', 'decisions', inputs[5]!.offset],
      ['decision_invalid', 'invalid_utf8', 'decisions', inputs[6]!.offset],
      ['decision_invalid', 'schema_violation', 'decisions', inputs[7]!.offset],
    ],
  );
  assert.ok(letters[4]!.error.message.includes('must be empty for approve'), letters[4]!.error.message);
  assert.equal(
    Buffer.from(letters[0]!.original_base64 ?? '', 'base64').toString(),
    inputs[3]!.value!.toString(),
  );
  assert.ok(published.every((message) => message.topic === 'decisions.dlq'));
  assert.equal(warnings.length, 5);
  assert.ok(!JSON.stringify(warnings).includes(secret), 'warnings carry no comment text');
});
