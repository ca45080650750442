// The moderator loop end to end, in headless Chromium against the real stack: comments are produced, the real
// worker labels and routes them, the real review service shows the queue with the texts fetched from the input
// topic, two moderators sign in, decisions go to the decisions topic and the precision follows them.
// MODSTREAM_UPDATE_SCREENSHOTS=1 also writes docs/screenshots/queue.png and overview.png.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { decodeDecision, type DecisionEvent, type ReviewEvent } from '@modstream/events';
import { createTopics, readTopic, withAdmin, type ConsumedRecord } from '@modstream/kafka-io';
import {
  deleteTestTopics,
  produceJsonComments,
  requireStack,
  testStackSettings,
  uniqueName,
  waitFor,
} from '@modstream/testkit';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium, preparePage } from './browser.js';
import { bundleDir } from './classifier-support.js';
import {
  killReviewService,
  startReviewService,
  writeUsersFile,
  type ReviewProcess,
  type TestUser,
} from './review-harness.js';
import { killWorker, OutputCollector, repoRoot, startWorker, workerTestContext } from './worker-harness.js';

const ALICE: TestUser = { id: 'alice', name: 'Alice Moderator', password: 'correct horse battery staple' };
const BOB: TestUser = { id: 'bob', name: 'Bob Moderator', password: 'bob-s3cret-passphrase' };
/** Comments the model flags and a few civil ones. */
const FLAGGED_CANDIDATES = 12;
const CIVIL = 3;
const UPDATE_SCREENSHOTS = process.env.MODSTREAM_UPDATE_SCREENSHOTS === '1';
const STEP_MS = 30_000;

before(async () => {
  await requireStack();
});

interface SampleComment {
  id: string;
  text: string;
}

interface Manifest {
  labels: string[];
  model_version: string;
  thresholds_version: string;
}

/**
 * Project-written comments (the bundle's reference texts, so the screenshots show no dataset text): the first
 * ones the bundle's recorded reference run labels, and a few it does not.
 */
async function pickComments(): Promise<SampleComment[]> {
  const texts = (await readFile(join(bundleDir, 'reference/texts.jsonl'), 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SampleComment);
  const reference = JSON.parse(await readFile(join(bundleDir, 'reference/scores.json'), 'utf8')) as {
    items: { id: string; labels: string[] }[];
  };
  const labeled = new Set(reference.items.filter((item) => item.labels.length > 0).map((item) => item.id));
  const readable = texts.filter((comment) => comment.text.length >= 20 && comment.text.length <= 280);
  const uncivil = readable.filter((comment) => labeled.has(comment.id));
  const civil = readable.filter((comment) => !labeled.has(comment.id));
  return [...uncivil.slice(0, FLAGGED_CANDIDATES), ...civil.slice(0, CIVIL)];
}

async function readAll(kafka: Parameters<typeof readTopic>[0], topic: string): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  await readTopic(kafka, topic, { onRecord: (record) => void records.push(record) });
  return records;
}

// ---------------------------------------------------------------- page helpers

/**
 * The page's DOM as far as the functions run in the page (page.evaluate) use it: the tests compile without
 * TypeScript's DOM library, and this declaration stays local to this file.
 */
interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  closest(selector: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}
declare const document: {
  activeElement: PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
};

interface ShownItem {
  id: string;
  priority: number;
  text: string | null;
  gone: boolean;
  labels: string;
}

async function shownItems(page: Page): Promise<ShownItem[]> {
  return page.$$eval('li.queue-item', (items) =>
    items.map((item) => ({
      id: item.getAttribute('data-id') ?? '',
      priority: Number(item.getAttribute('data-priority')),
      text: item.querySelector('.comment-text')?.textContent ?? null,
      gone: item.querySelector('.comment-gone') !== null,
      labels: item.querySelector('.labels')?.textContent ?? '',
    })),
  );
}

/** The queue item that has the keyboard focus (the item itself or an element inside it). */
async function focusedId(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const item = document.activeElement?.closest('.queue-item');
    return item?.getAttribute('data-id') ?? null;
  });
}

async function waitItemGone(page: Page, id: string): Promise<void> {
  await page.waitForFunction(
    (gone) =>
      ![...document.querySelectorAll('li.queue-item')].some((li) => li.getAttribute('data-id') === gone),
    { timeout: STEP_MS },
    id,
  );
}

function itemSelector(id: string): string {
  return `li.queue-item[data-id="${id.replace(/["\\]/g, '\\$&')}"]`;
}

/** Ticks exactly `wanted` among an item's relabel checkboxes, each toggle by keyboard (focus, Space). */
async function tickByKeyboard(page: Page, id: string, wanted: readonly string[]): Promise<void> {
  for (const box of await page.$$(`${itemSelector(id)} input[type=checkbox][name=labels]`)) {
    const { value, checked } = await box.evaluate((input) => ({
      value: input.value,
      checked: input.checked,
    }));
    if (checked === wanted.includes(value)) continue;
    await box.focus();
    await page.keyboard.press('Space');
  }
}

/** Ticks exactly `wanted` among an item's relabel checkboxes with mouse clicks. */
async function tickByMouse(page: Page, id: string, wanted: readonly string[]): Promise<void> {
  for (const box of await page.$$(`${itemSelector(id)} input[type=checkbox][name=labels]`)) {
    const { value, checked } = await box.evaluate((input) => ({
      value: input.value,
      checked: input.checked,
    }));
    if (checked !== wanted.includes(value)) await box.click();
  }
}

async function checkedLabels(page: Page, id: string): Promise<string[]> {
  return page.$$eval(`${itemSelector(id)} input[type=checkbox][name=labels]`, (boxes) =>
    boxes.filter((box) => box.checked).map((box) => box.value),
  );
}

async function signIn(page: Page, baseUrl: string, user: TestUser, password = user.password): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.type('input[name=username]', user.id);
  await page.type('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

interface PrecisionRow {
  label: string;
  flagged: number;
  confirmed: number;
  precision: number;
}

async function precisionRows(page: Page): Promise<PrecisionRow[]> {
  const raw = await page.$$eval('#precision-table tr[data-label]', (rows) =>
    rows.map((row) => ({
      label: row.getAttribute('data-label') ?? '',
      flagged: row.querySelector('td.flagged')?.textContent ?? '',
      confirmed: row.querySelector('td.confirmed')?.textContent ?? '',
      precision: row.querySelector('td.precision')?.textContent ?? '',
    })),
  );
  return raw.map((row) => {
    const precision = row.precision.trim();
    const value = Number.parseFloat(precision.replace(/[^\d.]/g, ''));
    return {
      label: row.label,
      flagged: Number(row.flagged.trim()),
      confirmed: Number(row.confirmed.trim()),
      precision: precision.includes('%') ? value / 100 : value,
    };
  });
}

/** The CSRF token the queue page carries for its decision requests. */
async function csrfToken(page: Page): Promise<string> {
  const token = await page.evaluate(() => {
    const input = document.querySelector('input[name=csrf]')?.getAttribute('value');
    return input ?? document.querySelector('meta[name=csrf-token]')?.getAttribute('content') ?? '';
  });
  assert.ok(token.length >= 16, 'the queue page carries a CSRF token');
  return token;
}

/** A same-origin POST /decisions from the page (its session cookie goes along). */
async function postDecision(
  page: Page,
  body: Record<string, unknown>,
): Promise<{ status: number; text: string }> {
  return page.evaluate(async (json) => {
    const response = await fetch('/decisions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: json,
    });
    return { status: response.status, text: await response.text() };
  }, JSON.stringify(body));
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (!UPDATE_SCREENSHOTS) return;
  const dir = join(repoRoot, 'docs/screenshots');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), await page.screenshot({ type: 'png', fullPage: true }));
}

// ---------------------------------------------------------------- the test

test(
  'review app in Chromium: queue in priority order with texts, keyboard and mouse decisions on the decisions topic, ' +
    'gone for every moderator, precision follows; wrong password, missing CSRF token and unknown id refused',
  { timeout: 600_000 },
  async (t) => {
    const manifest = JSON.parse(await readFile(join(bundleDir, 'manifest.json'), 'utf8')) as Manifest;
    const { kafka, topics, env } = await workerTestContext(t, 'review-app', 2);
    const decisionsTopic = uniqueName('review-app.decisions');
    const decisionsDlq = `${decisionsTopic}.dlq`;
    await withAdmin(kafka, (admin) =>
      createTopics(admin, [
        { topic: decisionsTopic, partitions: 2 },
        { topic: decisionsDlq, partitions: 1 },
      ]),
    );
    t.after(() => deleteTestTopics(decisionsTopic, decisionsDlq));

    // The worker (its queue topics are created when it starts), then the review service on them.
    const worker = await startWorker(env);
    t.after(() => killWorker(worker));
    await worker.waitReady(120_000);
    const usersFile = await writeUsersFile([ALICE, BOB]);
    const review: ReviewProcess = await startReviewService({
      MODSTREAM_KAFKA_BROKERS: testStackSettings().kafkaBrokers.join(','),
      MODSTREAM_REVIEW_QUEUE_TOPICS: `${topics.priority},${topics.review}`,
      MODSTREAM_REVIEW_DECISIONS_TOPIC: decisionsTopic,
      MODSTREAM_REVIEW_DLQ_TOPIC: decisionsDlq,
      MODSTREAM_REVIEW_USERS_FILE: usersFile,
      MODSTREAM_REVIEW_WORKER_METRICS_URL: `http://127.0.0.1:${worker.port}/metrics`,
      // Plain http on the loopback: a Secure cookie would not be sent back.
      MODSTREAM_REVIEW_COOKIE_SECURE: 'false',
      // Charts with several points by the time the overview is looked at.
      MODSTREAM_REVIEW_SCRAPE_INTERVAL_MS: '1000',
      MODSTREAM_LOG_LEVEL: 'info',
    });
    t.after(() => killReviewService(review));
    await review.waitReady();

    // Comments through the real worker; its outputs tell which reached which queue.
    const comments = await pickComments();
    await produceJsonComments(
      kafka,
      topics.input,
      comments.map(({ id, text }) => ({ id, text, author: `author-${id}` })),
    );
    const collector = new OutputCollector(kafka, topics);
    await collector.start();
    t.after(() => collector.stop());
    await collector.waitForIds(
      comments.map((comment) => comment.id),
      180_000,
    );
    await collector.waitCaughtUp();
    const reviewRecords = [
      ...(await readAll(kafka, topics.priority)),
      ...(await readAll(kafka, topics.review)),
    ];
    const flagged = new Map<string, { event: ReviewEvent; timestamp: number }>();
    for (const record of reviewRecords) {
      const event = JSON.parse(record.value!.toString('utf8')) as ReviewEvent;
      flagged.set(event.id, { event, timestamp: record.timestamp });
    }
    const byQueue = new Map<string, ReviewEvent[]>();
    for (const { event } of flagged.values())
      byQueue.set(event.queue, [...(byQueue.get(event.queue) ?? []), event]);
    // The busier queue is the one driven through the UI.
    const [queueName, queued] = [...byQueue.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? [
      '',
      [],
    ];
    assert.ok(queued.length >= 5, `at least 5 comments in one queue (got ${JSON.stringify([...byQueue])})`);
    const textOf = new Map(comments.map((comment) => [comment.id, comment.text]));
    const expectedOrder = [...queued].sort(
      (a, b) => b.priority - a.priority || flagged.get(a.id)!.timestamp - flagged.get(b.id)!.timestamp,
    );
    console.log(
      `review-app: ${comments.length} comments, ${flagged.size} flagged ` +
        `(${[...byQueue].map(([queue, events]) => `${queue.split('.').at(-1)}: ${events.length}`).join(', ')}); ` +
        `driving ${queueName} (${queued.length} items)`,
    );

    const browser: Browser = await launchChromium();
    t.after(() => browser.close());
    const alice = await preparePage(await (await browser.createBrowserContext()).newPage());
    const bob = await preparePage(await (await browser.createBrowserContext()).newPage());

    // ---- sign in: anonymous access goes to the login page, a wrong password is refused with an error
    await alice.goto(`${review.baseUrl}/queue?name=${encodeURIComponent(queueName)}`);
    assert.ok(
      await alice.$('input[name=password]'),
      `anonymous /queue shows the login form (at ${alice.url()})`,
    );
    await signIn(alice, review.baseUrl, ALICE, 'not-the-password');
    const error = await alice.$eval('.error', (element) => element.textContent ?? '');
    assert.match(error, /wrong user name or password/i, 'a wrong password shows an error');
    assert.equal(await alice.$('li.queue-item'), null, 'no queue after a wrong password');
    await signIn(alice, review.baseUrl, ALICE);
    assert.equal(await alice.$('.error'), null, 'no error after the right password');
    await signIn(bob, review.baseUrl, BOB);

    // ---- the overview before any decision: no precision yet
    await alice.goto(`${review.baseUrl}/overview`);
    const precisionBefore = await precisionRows(alice);
    assert.ok(
      precisionBefore.every((row) => row.flagged === 0 && row.confirmed === 0),
      `no decided comment yet: ${JSON.stringify(precisionBefore)}`,
    );

    // ---- the queue: every flagged comment of the queue, priority first then oldest, with its text
    const queueUrl = `${review.baseUrl}/queue?name=${encodeURIComponent(queueName)}`;
    const queuedIds = new Set(queued.map((event) => event.id));
    await waitFor(
      async () => {
        await alice.goto(queueUrl);
        const shown = await shownItems(alice);
        return shown.length === queued.length && shown.every((item) => queuedIds.has(item.id));
      },
      {
        timeoutMs: 60_000,
        intervalMs: 1_000,
        message: `the queue page shows the ${queued.length} queued comments`,
      },
    );
    const shown = await shownItems(alice);
    assert.deepEqual(
      shown.map((item) => item.priority),
      expectedOrder.map((event) => event.priority),
      'priority order',
    );
    for (let i = 1; i < shown.length; i++) {
      const [previous, current] = [shown[i - 1]!, shown[i]!];
      if (previous.priority === current.priority) {
        assert.ok(
          flagged.get(previous.id)!.timestamp <= flagged.get(current.id)!.timestamp,
          `equal priority: oldest first (${previous.id} before ${current.id})`,
        );
      }
    }
    const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
    for (const item of shown) {
      assert.equal(item.gone, false, `${item.id}: its input is still on the topic`);
      assert.equal(squash(item.text ?? ''), squash(textOf.get(item.id)!), `${item.id}: the comment text`);
      for (const label of flagged.get(item.id)!.event.labels) {
        assert.ok(item.labels.includes(label), `${item.id}: label ${label} shown`);
      }
    }

    // Bob opens the same queue now; Alice's decisions happen while his page is open.
    await bob.goto(queueUrl);
    assert.equal((await shownItems(bob)).length, queued.length);

    // ---- three decisions by keyboard: j/k move the focus, a approves, r removes, e relabels
    const decided = new Map<string, { decision: 'approve' | 'remove' | 'relabel'; labels: string[] }>();
    const labelsOf = (id: string) => flagged.get(id)!.event.labels;
    const ensureFocus = async () => {
      if ((await focusedId(alice)) === null) await alice.keyboard.press('j');
      const id = await focusedId(alice);
      assert.ok(id !== null, 'j focuses a queue item');
      return id;
    };

    const first = await ensureFocus();
    assert.equal(first, shown[0]!.id, 'the top of the queue has the focus');
    await screenshot(alice, 'queue.png');
    await alice.keyboard.press('a');
    await waitItemGone(alice, first);
    decided.set(first, { decision: 'approve', labels: [] });

    let current = await ensureFocus();
    let list = (await shownItems(alice)).map((item) => item.id);
    const at = list.indexOf(current);
    await alice.keyboard.press('j');
    assert.equal(await focusedId(alice), list[at + 1], 'j moves the focus down');
    await alice.keyboard.press('k');
    assert.equal(await focusedId(alice), list[at], 'k moves the focus up');
    await alice.keyboard.press('r');
    await waitItemGone(alice, current);
    decided.set(current, { decision: 'remove', labels: [...labelsOf(current)] });

    current = await ensureFocus();
    const unflagged = (id: string) => manifest.labels.find((label) => !labelsOf(id).includes(label))!;
    // Keep all but the first flagged label and add one the model missed: partly confirmed.
    const relabel = [...labelsOf(current).slice(1), unflagged(current)];
    await tickByKeyboard(alice, current, relabel);
    assert.deepEqual((await checkedLabels(alice, current)).sort(), [...relabel].sort());
    // The focus is on the last box ticked, inside the item: e relabels that item.
    await alice.keyboard.press('e');
    await waitItemGone(alice, current);
    decided.set(current, { decision: 'relabel', labels: relabel });

    // ---- one by mouse: the last item, relabelled to its first flagged label only
    list = (await shownItems(alice)).map((item) => item.id);
    const byMouse = list.at(-1)!;
    const mouseLabels = labelsOf(byMouse).slice(0, 1);
    await tickByMouse(alice, byMouse, mouseLabels);
    await alice.click(`${itemSelector(byMouse)} button[data-decision="relabel"]`);
    await waitItemGone(alice, byMouse);
    decided.set(byMouse, { decision: 'relabel', labels: mouseLabels });

    // ---- the decisions topic: one event per decision, by alice, with the model's view of the comment
    let decisions: DecisionEvent[] = [];
    await waitFor(
      async () => {
        decisions = [];
        for (const record of await readAll(kafka, decisionsTopic)) {
          const decoded = decodeDecision(record.value!);
          assert.ok(decoded.ok, `a valid decision event: ${decoded.ok ? '' : decoded.message}`);
          assert.equal(record.key?.toString('utf8'), decoded.event.id, 'keyed by comment id');
          decisions.push(decoded.event);
        }
        return decisions.length >= decided.size;
      },
      { timeoutMs: STEP_MS, message: `${decided.size} decisions on ${decisionsTopic}` },
    );
    assert.equal(decisions.length, decided.size, 'one event per decision');
    for (const event of decisions) {
      const want = decided.get(event.id);
      assert.ok(want, `${event.id} was decided in the page`);
      const { event: flaggedEvent } = flagged.get(event.id)!;
      assert.equal(event.decision, want.decision, `${event.id}: decision`);
      assert.deepEqual([...event.labels].sort(), [...want.labels].sort(), `${event.id}: labels`);
      assert.deepEqual(
        [...event.flagged_labels].sort(),
        [...flaggedEvent.labels].sort(),
        `${event.id}: flagged`,
      );
      assert.equal(event.moderator, ALICE.id, `${event.id}: moderator`);
      assert.equal(event.queue, queueName);
      assert.equal(event.model_version, manifest.model_version);
      assert.equal(flaggedEvent.thresholds_version, manifest.thresholds_version, 'the worker wrote it');
      assert.equal(event.thresholds_version, manifest.thresholds_version);
      assert.deepEqual(event.source, flaggedEvent.source);
      assert.ok(Math.abs(Date.parse(event.decided_at) - Date.now()) < 600_000, `${event.id}: decided_at`);
    }

    // ---- gone from the queue, for Alice after a reload and for Bob in a session of his own
    const remaining = expectedOrder.map((event) => event.id).filter((id) => !decided.has(id));
    await alice.goto(queueUrl);
    assert.deepEqual(
      (await shownItems(alice)).map((item) => item.id).sort(),
      [...remaining].sort(),
      'alice: decided comments left the queue',
    );

    // Bob's page was opened before: deciding one of Alice's comments there tells him she was first.
    const stale = first;
    assert.ok(await bob.$(itemSelector(stale)), "bob's page still lists the comment alice approved");
    await bob.click(`${itemSelector(stale)} button[data-decision="remove"]`);
    await bob.waitForFunction(
      (selector, message) => document.querySelector(`${selector} .notice`)?.textContent?.includes(message),
      { timeout: STEP_MS },
      itemSelector(stale),
      `already decided by ${ALICE.id}`,
    );
    await bob.goto(queueUrl);
    assert.deepEqual(
      (await shownItems(bob)).map((item) => item.id).sort(),
      [...remaining].sort(),
      'bob: decided comments left his queue too',
    );

    // ---- the precision: per label, flagged = decided comments with it flagged, confirmed = kept by the moderator
    const expected = new Map<string, { flagged: number; confirmed: number }>();
    for (const [id, { decision, labels }] of decided) {
      for (const label of labelsOf(id)) {
        const counts = expected.get(label) ?? { flagged: 0, confirmed: 0 };
        counts.flagged++;
        const kept = decision === 'remove' || (decision === 'relabel' && labels.includes(label));
        if (kept) counts.confirmed++;
        expected.set(label, counts);
      }
    }
    const precisionMatches = async () => {
      await alice.goto(`${review.baseUrl}/overview`);
      const rows = await precisionRows(alice);
      const byLabel = new Map(rows.map((row) => [row.label, row]));
      for (const [label, counts] of expected) {
        const row = byLabel.get(label);
        if (!row || row.flagged !== counts.flagged || row.confirmed !== counts.confirmed) return false;
        if (Math.abs(row.precision - counts.confirmed / counts.flagged) > 0.006) return false;
      }
      return rows.every((row) => expected.has(row.label) || row.flagged === 0);
    };
    await waitFor(precisionMatches, {
      timeoutMs: STEP_MS,
      intervalMs: 500,
      message: 'precision on the overview',
    }).catch(async (error: Error) => {
      throw new Error(
        `${error.message}: want ${JSON.stringify([...expected])}, got ${JSON.stringify(await precisionRows(alice))}`,
      );
    });
    // Every chart is drawn by the charting library (a <canvas> in each chart's figure).
    await alice.waitForFunction(
      () => {
        const charts = [...document.querySelectorAll('figure.chart')];
        return charts.length > 0 && charts.every((chart) => chart.querySelector('canvas') !== null);
      },
      { timeout: STEP_MS },
    );
    await screenshot(alice, 'overview.png');

    // ---- bad requests: no CSRF token, a wrong token, an unknown comment id; none changes anything
    await alice.goto(queueUrl);
    const target = remaining[0]!;
    const noToken = await postDecision(alice, { id: target, decision: 'approve', labels: [] });
    assert.equal(noToken.status, 403, `no CSRF token: ${noToken.text}`);
    // A plain form post (what another site could make a browser send) without the token: refused too.
    const formStatus = await alice.evaluate(async (id) => {
      const body = new URLSearchParams({ id, decision: 'approve' });
      return (await fetch('/decisions', { method: 'POST', body })).status;
    }, target);
    assert.equal(formStatus, 403, 'form post without CSRF token');
    const wrongToken = await postDecision(alice, {
      id: target,
      decision: 'approve',
      labels: [],
      csrf: 'x'.repeat(43),
    });
    assert.equal(wrongToken.status, 403, `wrong CSRF token: ${wrongToken.text}`);
    const token = await csrfToken(alice);
    const unknown = await postDecision(alice, {
      id: 'no-such-comment',
      decision: 'approve',
      labels: [],
      csrf: token,
    });
    assert.equal(unknown.status, 404, `unknown comment: ${unknown.text}`);
    const unknownBody = JSON.parse(unknown.text) as { status: string; message: string };
    assert.equal(unknownBody.status, 'unknown_comment');
    assert.match(unknownBody.message, /no-such-comment/, 'the error names the comment id');
    const badLabel = await postDecision(alice, {
      id: target,
      decision: 'relabel',
      labels: ['not-a-label'],
      csrf: token,
    });
    assert.equal(badLabel.status, 400, `unknown label: ${badLabel.text}`);
    await alice.goto(queueUrl);
    assert.ok(await alice.$(itemSelector(target)), 'the refused requests decided nothing');
    assert.equal((await readAll(kafka, decisionsTopic)).length, decided.size, 'no decision event from them');

    // ---- no comment text in either service's logs
    for (const [id, text] of textOf) {
      const fragment = text.slice(0, 40);
      const escaped = JSON.stringify(fragment).slice(1, -1);
      for (const [name, logs] of [
        ['worker', worker.logs],
        ['review', review.logs],
      ] as const) {
        const leaked = logs.some((line) => line.includes(fragment) || line.includes(escaped));
        assert.ok(!leaked, `${name} logs carry the text of ${id}`);
      }
    }

    // ---- graceful stop
    review.child.kill('SIGTERM');
    assert.equal((await review.exited).code, 0, 'review service exits 0 on SIGTERM');
    worker.child.kill('SIGTERM');
    assert.equal((await worker.exited).code, 0, 'worker exits 0 on SIGTERM');
  },
);
