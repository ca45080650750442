import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { before, test, type TestContext } from 'node:test';
import {
  deadLetterSchema,
  decodeDecision,
  encodeDecision,
  encodeReview,
  type DecisionEvent,
  type EventSource,
} from '@modstream/events';
import {
  deleteRecordsBefore,
  produceToPartitions,
  readTopic,
  withAdmin,
  type KafkaClient,
} from '@modstream/kafka-io';
import {
  DecisionDesk,
  exportFeedback,
  ReviewBoard,
  ReviewFeed,
  sourceKey,
  TextLookup,
  type ReviewLogger,
} from '@modstream/review';
import {
  createTestKafka,
  createTestTopic,
  deleteTestTopics,
  produceToTopic,
  readRecords,
  requireKafka,
  uniqueName,
  waitFor,
} from '@modstream/testkit';

before(async () => {
  await requireKafka();
});

const LABELS = [
  'aspersion',
  'hyperbole',
  'lying',
  'namecalling',
  'noncooperation',
  'offtopic',
  'other_incivility',
  'pejorative',
  'sarcasm',
  'vulgarity',
];

/** Writes comments to partition 0 of the input topic; returns each one's source. */
async function produceComments(
  kafka: KafkaClient,
  topic: string,
  values: (string | null)[],
): Promise<EventSource[]> {
  const offsets = await produceToPartitions(
    kafka,
    values.map((value, i) => ({
      topic,
      partition: 0,
      key: `k${i}`,
      value: value === null ? null : Buffer.from(value),
    })),
  );
  return offsets.map((offset) => ({ topic, partition: 0, offset }));
}

const comment = (id: string, text: string) => JSON.stringify({ id, text, author: 'a1' });

function reviewMessage(id: string, queue: string, priority: number, labels: string[], source: EventSource) {
  return {
    key: id,
    value: encodeReview({
      id,
      queue,
      priority,
      labels,
      scores: Object.fromEntries(LABELS.map((label) => [label, labels.includes(label) ? 0.9 : 0.05])),
      model_version: 'm1',
      thresholds_version: 't1',
      source,
    }),
  };
}

/** A logger that keeps what it was given, for checks that no text is logged. */
function collectingLogger(): ReviewLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (fields: object, message: string) => void lines.push(JSON.stringify({ ...fields, message }));
  return { lines, info: log, warn: log, error: log };
}

async function topics(t: TestContext, ...prefixes: string[]): Promise<string[]> {
  const names = await Promise.all(prefixes.map((prefix) => createTestTopic(1, { prefix })));
  t.after(() => deleteTestTopics(...names));
  return names;
}

test('TextLookup: texts by source, cached; a deleted, tombstoned or undecodable input is gone', async (t) => {
  const [input] = await topics(t, 'review-input');
  const kafka = createTestKafka();
  const sources = await produceComments(kafka, input!, [
    comment('c0', 'deleted soon'),
    comment('c1', 'first text'),
    null,
    '{not json',
    comment('c4', 'héllo wörld 😀'),
  ]);
  await withAdmin(kafka, (admin) => deleteRecordsBefore(admin, input!, [{ partition: 0, offset: '1' }]));

  const lookup = new TextLookup(kafka, { maxEntries: 3 });
  t.after(() => lookup.close());
  const missingOffset: EventSource = { topic: input!, partition: 0, offset: '99' };
  const noTopic: EventSource = { topic: `${input}-nope`, partition: 0, offset: '0' };
  const texts = await lookup.get([missingOffset, noTopic, ...sources]);
  assert.deepEqual(
    sources.map((source) => texts.get(sourceKey(source))),
    [{ gone: true }, { text: 'first text' }, { gone: true }, { gone: true }, { text: 'héllo wörld 😀' }],
  );
  assert.deepEqual(texts.get(sourceKey(missingOffset)), { gone: true });
  assert.deepEqual(texts.get(sourceKey(noTopic)), { gone: true });
  assert.deepEqual(lookup.stats(), { hits: 0, misses: 7, entries: 3 });

  // The three most recent are cached; a comment id that does not match the record's is gone.
  assert.deepEqual((await lookup.get([{ ...sources[4]!, id: 'c4' }])).get(sourceKey(sources[4]!)), {
    text: 'héllo wörld 😀',
  });
  assert.deepEqual((await lookup.get([{ ...sources[4]!, id: 'c-other' }])).get(sourceKey(sources[4]!)), {
    gone: true,
  });
  assert.deepEqual((await lookup.get([sources[1]!])).get(sourceKey(sources[1]!)), { text: 'first text' });
  assert.deepEqual(lookup.stats(), { hits: 2, misses: 8, entries: 3 });
});

test('ReviewFeed + DecisionDesk: two instances, one comment decided by both, a malformed decision dead-lettered, feedback export', async (t) => {
  const [input, queue, priorityQueue, decisions, dlq] = await topics(
    t,
    'review-input',
    'review-queue',
    'review-queue-prio',
    'review-decisions',
    'review-dlq',
  );
  const kafka = createTestKafka();
  const secret = 'a secret comment text';
  const [c4, c1, c2, c3] = await produceComments(kafka, input!, [
    comment('c4', 'text four, input deleted later'),
    comment('c1', `${secret} one`),
    comment('c2', 'text two'),
    comment('c3', 'text three'),
  ]);
  await produceToTopic(kafka, queue!, [
    reviewMessage('c2', queue!, 40, ['sarcasm'], c2!),
    reviewMessage('c3', queue!, 90, ['namecalling', 'vulgarity'], c3!),
    reviewMessage('c4', queue!, 40, ['vulgarity'], c4!),
  ]);
  await produceToTopic(kafka, priorityQueue!, [reviewMessage('c1', priorityQueue!, 95, ['vulgarity'], c1!)]);
  // An old decision (before `since`) and a malformed one are on the topic already.
  const oldDecision = encodeDecision({
    id: 'c-old',
    decision: 'approve',
    labels: [],
    flagged_labels: ['sarcasm'],
    queue: queue!,
    moderator: 'zoe',
    model_version: 'm0',
    thresholds_version: 'unknown',
    source: { topic: input!, partition: 0, offset: '0' },
    decided_at: new Date(Date.now() - 48 * 3_600_000),
  });
  await produceToTopic(kafka, decisions!, [
    { key: 'c-old', value: oldDecision },
    {
      key: 'c2',
      value: `{"schema":"modstream.decision.v1","id":"c2","decision":"approve","text":"${secret}"}`,
    },
  ]);

  const instance = async (moderatorHint: string) => {
    const board = new ReviewBoard({ queues: [priorityQueue!, queue!] });
    const logger = collectingLogger();
    const feed = new ReviewFeed({
      client: kafka,
      queueTopics: [priorityQueue!, queue!],
      decisionsTopic: decisions!,
      deadLetterTopic: dlq!,
      board,
      logger,
      groupId: uniqueName(`review-feed-${moderatorHint}`),
    });
    const desk = new DecisionDesk({ client: kafka, decisionsTopic: decisions!, board });
    t.after(async () => {
      await desk.close();
      await feed.stop();
    });
    await feed.start();
    return { board, feed, desk, logger };
  };
  const a = await instance('a');
  const b = await instance('b');
  await waitFor(() => a.feed.caughtUp() && b.feed.caughtUp(), {
    timeoutMs: 30_000,
    message: 'feeds caught up',
  });

  for (const { board } of [a, b]) {
    assert.deepEqual(
      board.queue(queue!).map((item) => item.id),
      ['c3', 'c2', 'c4'],
    );
    assert.deepEqual(
      board.queue(priorityQueue!).map((item) => item.id),
      ['c1'],
    );
    assert.equal(board.decision('c-old')?.moderator, 'zoe');
  }

  // Both instances decide c3 at the same time: the first on the topic wins, on both.
  const [fromA, fromB] = await Promise.all([
    a.desk.decide({ id: 'c3', decision: 'remove', moderator: 'alice' }),
    b.desk.decide({ id: 'c3', decision: 'approve', moderator: 'bob' }),
  ]);
  assert.deepEqual([fromA.status, fromB.status].sort(), ['already_decided', 'decided']);
  const winner =
    fromA.status === 'decided' ? fromA.event : fromB.status === 'decided' ? fromB.event : undefined;
  assert.ok(winner !== undefined);
  const loser = fromA.status === 'already_decided' ? fromA : fromB;
  assert.equal(loser.status === 'already_decided' && loser.event.moderator, winner.moderator);
  await waitFor(() => a.board.decisionOnTopic('c3') && b.board.decisionOnTopic('c3'), {
    message: 'c3 read back',
  });
  assert.deepEqual(a.board.decisionOnTopic('c3'), b.board.decisionOnTopic('c3'));
  assert.equal(a.board.decisionOnTopic('c3')?.moderator, winner.moderator);

  // More decisions: relabel c2 on A, remove c1 on B, and c4 whose input is deleted afterwards.
  assert.equal(
    (await a.desk.decide({ id: 'c2', decision: 'relabel', labels: ['hyperbole'], moderator: 'alice' }))
      .status,
    'decided',
  );
  assert.equal((await b.desk.decide({ id: 'c1', decision: 'remove', moderator: 'bob' })).status, 'decided');
  assert.equal((await b.desk.decide({ id: 'c4', decision: 'remove', moderator: 'bob' })).status, 'decided');
  assert.equal(
    (await a.desk.decide({ id: 'c1', decision: 'approve', moderator: 'alice' })).status !== 'decided',
    true,
  );
  assert.equal(
    (await a.desk.decide({ id: 'nope', decision: 'approve', moderator: 'alice' })).status,
    'unknown_comment',
  );

  await waitFor(
    () => ['c1', 'c2', 'c4'].every((id) => a.board.decisionOnTopic(id) && b.board.decisionOnTopic(id)),
    {
      message: 'decisions read back by both instances',
    },
  );
  for (const { board } of [a, b]) {
    assert.deepEqual(board.queue(queue!), []);
    assert.deepEqual(board.queue(priorityQueue!), []);
    assert.deepEqual(board.precision(), a.board.precision());
  }
  const precision = (label: string) =>
    a.board.precision().find((row) => row.label === label && row.modelVersion === 'm1');
  // vulgarity flagged on c1 (removed), c3 (winner), c4 (removed); sarcasm on c2 (relabelled to hyperbole).
  assert.deepEqual(
    [precision('vulgarity')?.flagged, precision('vulgarity')?.confirmed],
    [3, winner.decision === 'remove' ? 3 : 2],
  );
  assert.deepEqual([precision('sarcasm')?.flagged, precision('sarcasm')?.confirmed], [1, 0]);

  // The malformed decision went to the dead-letter topic, once per instance; the feeds went on.
  const letters = await readRecords(kafka, dlq!, 2);
  for (const letter of letters) {
    const parsed = deadLetterSchema.parse(JSON.parse(letter.value!.toString()));
    assert.equal(parsed.reason, 'decision_invalid');
    assert.equal(parsed.source.topic, decisions!);
    assert.equal(parsed.source.offset, '1');
  }
  assert.equal(a.feed.stats().deadLetters, 1);
  for (const line of [...a.logger.lines, ...b.logger.lines])
    assert.ok(!line.includes(secret), 'no text in logs');

  // Every decision on the topic decodes; the loser's, where it was published, is there too.
  const onTopic: DecisionEvent[] = [];
  await readTopic(kafka, decisions!, {
    onRecord: (record) => {
      const decoded = decodeDecision(record.value);
      if (decoded.ok) onTopic.push(decoded.event);
    },
  });
  const firstIds = [...new Set(onTopic.map((event) => event.id))];
  assert.deepEqual(firstIds, ['c-old', 'c3', 'c2', 'c1', 'c4']);

  // Feedback export: first decisions since 24 h ago, texts from the input topic; c4's input is gone.
  await withAdmin(kafka, (admin) => deleteRecordsBefore(admin, input!, [{ partition: 0, offset: '1' }]));
  const out = new PassThrough();
  let written = '';
  out.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
  const result = await exportFeedback({
    client: kafka,
    decisionsTopic: decisions!,
    since: new Date(Date.now() - 24 * 3_600_000),
    out,
    labels: LABELS,
  });
  assert.deepEqual(result, {
    decisions: onTopic.length,
    invalid: 1,
    duplicates: onTopic.length - 5,
    beforeSince: 1,
    unknownLabels: 0,
    gone: 1,
    written: 3,
  });
  const rows = written
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, string | number>);
  assert.deepEqual(
    rows.map((row) => [row.id, row.source, row.text, LABELS.filter((label) => row[label] === 1)]),
    [
      ['c3', 'moderation', 'text three', winner.decision === 'remove' ? ['namecalling', 'vulgarity'] : []],
      ['c2', 'moderation', 'text two', ['hyperbole']],
      ['c1', 'moderation', `${secret} one`, ['vulgarity']],
    ],
  );
  for (const row of rows) assert.deepEqual(Object.keys(row), ['id', 'source', 'text', ...LABELS]);
});
