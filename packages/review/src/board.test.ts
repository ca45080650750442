import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReviewBoard } from './board.js';
import { decision, review } from './events-fake.js';

describe('ReviewBoard', () => {
  it('lists a queue by priority, highest first, then oldest first', () => {
    const board = new ReviewBoard();
    board.addReview(review('low', { priority: 10 }), 1_000);
    board.addReview(review('high-new', { priority: 90 }), 3_000);
    board.addReview(review('high-old', { priority: 90 }), 2_000);
    board.addReview(review('mid', { priority: 50 }), 500);
    board.addReview(review('other-queue', { priority: 99, queue: 'comments.review.priority' }), 100);
    assert.deepEqual(
      board.queue('comments.review').map((item) => item.id),
      ['high-old', 'high-new', 'mid', 'low'],
    );
    assert.deepEqual(
      board.queue('comments.review', 2).map((item) => item.id),
      ['high-old', 'high-new'],
    );
    assert.deepEqual(board.queues(), [
      { name: 'comments.review', depth: 4 },
      { name: 'comments.review.priority', depth: 1 },
    ]);
    const item = board.item('high-old');
    assert.equal(item?.flaggedAt, 2_000);
    assert.equal(item?.thresholdsVersion, 't1');
    assert.deepEqual(item?.source, { topic: 'comments', partition: 0, offset: '7' });
  });

  it('declared queues are listed while empty; a review event without thresholds_version says unknown', () => {
    const board = new ReviewBoard({ queues: ['comments.review', 'comments.review.priority'] });
    assert.deepEqual(board.queues(), [
      { name: 'comments.review', depth: 0 },
      { name: 'comments.review.priority', depth: 0 },
    ]);
    const old = review('old');
    delete old.thresholds_version;
    board.addReview(old, 1);
    assert.equal(board.item('old')?.thresholdsVersion, 'unknown');
  });

  it('keeps the first of repeated review events (redelivery)', () => {
    const board = new ReviewBoard();
    assert.equal(board.addReview(review('c1', { priority: 20 }), 1), 'added');
    assert.equal(board.addReview(review('c1', { priority: 80 }), 2), 'duplicate');
    assert.deepEqual(
      board.queue('comments.review').map((item) => [item.id, item.priority, item.flaggedAt]),
      [['c1', 20, 1]],
    );
  });

  it('the first decision wins: the comment leaves every queue, later decisions change nothing', () => {
    const board = new ReviewBoard();
    board.addReview(review('c1', { queue: 'a' }), 1);
    board.addReview(review('c1', { queue: 'b', priority: 70 }), 1);
    board.addReview(review('c2', { queue: 'a' }), 2);
    assert.equal(board.item('c1')?.queue, 'b', 'the most urgent queue of a comment in two');

    const first = decision('c1', { decision: 'approve', moderator: 'alice' });
    assert.equal(board.addDecision(first), 'applied');
    assert.equal(board.addDecision(decision('c1', { decision: 'remove', moderator: 'bob' })), 'duplicate');
    assert.equal(board.decision('c1'), first);
    assert.equal(board.item('c1'), undefined);
    assert.deepEqual(
      board.queue('a').map((item) => item.id),
      ['c2'],
    );
    assert.deepEqual(board.queue('b'), []);
    assert.deepEqual(board.queues(), [
      { name: 'a', depth: 1 },
      { name: 'b', depth: 0 },
    ]);
    // Only the first decision counts for precision.
    assert.deepEqual(
      board.precision().map((row) => [row.label, row.flagged, row.confirmed]),
      [['vulgarity', 1, 0]],
    );
  });

  it('a decision read before its review event keeps the comment out of the queue', () => {
    const board = new ReviewBoard();
    assert.equal(board.addDecision(decision('c1')), 'applied');
    assert.equal(board.addReview(review('c1'), 1), 'decided');
    assert.deepEqual(board.queue('comments.review'), []);
  });

  it('a claim hides the comment until the topic decides; a released claim brings it back', () => {
    const board = new ReviewBoard();
    board.addReview(review('c1'), 1);
    const mine = decision('c1', { moderator: 'alice' });
    assert.equal(board.claim(mine), true);
    assert.equal(board.claim(decision('c1', { moderator: 'bob' })), false);
    assert.deepEqual(board.queue('comments.review'), []);
    assert.equal(board.decision('c1'), mine);
    assert.equal(board.decisionOnTopic('c1'), undefined);
    assert.deepEqual(board.precision(), [], 'claims are not counted');

    board.releaseClaim(mine);
    assert.deepEqual(
      board.queue('comments.review').map((item) => item.id),
      ['c1'],
    );
    assert.equal(board.decision('c1'), undefined);

    // Another process's decision read from the topic wins over a claim made after it was published.
    board.claim(mine);
    const theirs = decision('c1', { moderator: 'carol' });
    assert.equal(board.addDecision(theirs), 'applied');
    assert.equal(board.decision('c1'), theirs);
    assert.equal(board.claim(mine), false);
  });

  it('waitForDecision resolves when the decision is read, or with undefined after the timeout', async () => {
    const board = new ReviewBoard();
    board.addReview(review('c1'), 1);
    const waiting = board.waitForDecision('c1', 5_000);
    const event = decision('c1');
    board.addDecision(event);
    assert.equal(await waiting, event);
    assert.equal(await board.waitForDecision('c1', 0), event);
    assert.equal(await board.waitForDecision('c2', 20), undefined);
  });
});
