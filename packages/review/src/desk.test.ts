import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKafkaClient } from '@modstream/kafka-io';
import { decodeDecision, type OutboundMessage } from '@modstream/events';
import { ReviewBoard } from './board.js';
import { DecisionDesk } from './desk.js';
import { decision, review } from './events-fake.js';

/** A producer that keeps what it was given; `fail` makes the next sends throw, `gate` holds them. */
function fakeProducer() {
  const sent: OutboundMessage[] = [];
  const state = { fail: false, gate: Promise.resolve() };
  return {
    sent,
    state,
    async send(messages: readonly OutboundMessage[]) {
      await state.gate;
      if (state.fail) throw new Error('broker down');
      sent.push(...messages);
    },
  };
}

const client = createKafkaClient({ brokers: ['127.0.0.1:1'] });
const now = () => new Date('2026-12-04T12:00:00Z');

function setup() {
  const board = new ReviewBoard();
  board.addReview(review('c1', { labels: ['namecalling', 'vulgarity'] }), 1);
  const producer = fakeProducer();
  const desk = new DecisionDesk({
    client,
    decisionsTopic: 'decisions',
    board,
    producer,
    confirmTimeoutMs: 0,
    now,
  });
  return { board, producer, desk };
}

describe('DecisionDesk', () => {
  it('publishes a decision keyed by comment id with the item’s versions, flagged labels and source', async () => {
    const { board, producer, desk } = setup();
    const result = await desk.decide({ id: 'c1', decision: 'remove', moderator: 'alice' });
    assert.equal(result.status, 'decided');
    assert.equal(producer.sent.length, 1);
    const [message] = producer.sent;
    assert.equal(message?.topic, 'decisions');
    assert.equal(message?.key, 'c1');
    const decoded = decodeDecision(message?.value);
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.event, {
      schema: 'modstream.decision.v1',
      id: 'c1',
      decision: 'remove',
      labels: ['namecalling', 'vulgarity'],
      flagged_labels: ['namecalling', 'vulgarity'],
      queue: 'comments.review',
      moderator: 'alice',
      model_version: 'm1',
      thresholds_version: 't1',
      source: { topic: 'comments', partition: 0, offset: '7' },
      decided_at: '2026-12-04T12:00:00.000Z',
    });
    assert.deepEqual(board.queue('comments.review'), [], 'the decided comment left the queue at once');
  });

  it('approve has no labels; relabel keeps the ticked labels in model order', async () => {
    const approve = setup();
    const approved = await approve.desk.decide({
      id: 'c1',
      decision: 'approve',
      labels: ['sarcasm'],
      moderator: 'a',
    });
    assert.equal(approved.status, 'decided');
    assert.deepEqual(approved.status === 'decided' && approved.event.labels, []);

    const relabel = setup();
    const relabeled = await relabel.desk.decide({
      id: 'c1',
      decision: 'relabel',
      labels: ['vulgarity', 'sarcasm', 'vulgarity'],
      moderator: 'a',
    });
    assert.equal(relabeled.status, 'decided');
    assert.deepEqual(relabeled.status === 'decided' && relabeled.event.labels, ['sarcasm', 'vulgarity']);
  });

  it('refuses invalid requests and unknown comments without publishing', async () => {
    const { producer, desk } = setup();
    const cases = [
      [{ id: 'c1', decision: 'delete', moderator: 'a' }, 'invalid'],
      [{ id: 'c1', decision: 'relabel', labels: [], moderator: 'a' }, 'invalid'],
      [{ id: 'c1', decision: 'relabel', labels: ['spam'], moderator: 'a' }, 'invalid'],
      [{ id: 'c1', decision: 'remove', moderator: '' }, 'invalid'],
      [{ id: '', decision: 'remove', moderator: 'a' }, 'invalid'],
      [{ id: 'nobody-flagged-this', decision: 'remove', moderator: 'a' }, 'unknown_comment'],
    ] as const;
    for (const [request, status] of cases) {
      const result = await desk.decide(request);
      assert.equal(result.status, status, JSON.stringify(request));
      if (result.status === 'invalid') assert.ok(result.message.length > 0);
    }
    assert.equal(producer.sent.length, 0);
  });

  it('two concurrent decisions on one comment: the first wins, the second is already decided', async () => {
    const { board, producer, desk } = setup();
    let open!: () => void;
    producer.state.gate = new Promise((resolve) => (open = resolve));
    const other = new DecisionDesk({
      client,
      decisionsTopic: 'decisions',
      board,
      producer,
      confirmTimeoutMs: 0,
    });
    const first = desk.decide({ id: 'c1', decision: 'approve', moderator: 'alice' });
    const second = await other.decide({ id: 'c1', decision: 'remove', moderator: 'bob' });
    assert.equal(second.status, 'already_decided');
    assert.equal(second.status === 'already_decided' && second.event.moderator, 'alice');
    open();
    assert.equal((await first).status, 'decided');
    assert.equal(producer.sent.length, 1, 'only the first decision was published');
    const third = await desk.decide({ id: 'c1', decision: 'remove', moderator: 'carol' });
    assert.equal(third.status, 'already_decided');
  });

  it('a failed publish leaves the comment undecided and in its queue', async () => {
    const { board, producer, desk } = setup();
    producer.state.fail = true;
    const result = await desk.decide({ id: 'c1', decision: 'remove', moderator: 'alice' });
    assert.equal(result.status, 'unavailable');
    assert.equal(board.decision('c1'), undefined);
    assert.deepEqual(
      board.queue('comments.review').map((item) => item.id),
      ['c1'],
    );
    producer.state.fail = false;
    assert.equal((await desk.decide({ id: 'c1', decision: 'remove', moderator: 'alice' })).status, 'decided');
  });

  it('follows the topic: another instance’s decision read back first wins', async () => {
    const board = new ReviewBoard();
    board.addReview(review('c1'), 1);
    const producer = fakeProducer();
    const desk = new DecisionDesk({
      client,
      decisionsTopic: 'decisions',
      board,
      producer,
      confirmTimeoutMs: 2_000,
    });
    const pending = desk.decide({ id: 'c1', decision: 'approve', moderator: 'alice' });
    // The feed reads another instance's decision (published earlier) before ours.
    await new Promise((resolve) => setImmediate(resolve));
    const theirs = decision('c1', { moderator: 'bob' });
    board.addDecision(theirs);
    const result = await pending;
    assert.equal(result.status, 'already_decided');
    assert.equal(result.status === 'already_decided' && result.event, theirs);
  });
});
