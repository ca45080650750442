import { html, type SafeHtml } from './html.js';

/** What a queue page shows of one undecided item. */
export interface QueuePageItem {
  id: string;
  queue: string;
  priority: number;
  labels: readonly string[];
  scores: Readonly<Record<string, number>>;
  modelVersion: string;
  thresholdsVersion: string;
  flaggedAt: number;
  /**
   * The comment's text from the input topic; `gone` when the log no longer has it; `unavailable` when it
   * could not be fetched now (Kafka unreachable).
   */
  text: { text: string } | { gone: true } | { unavailable: true };
}

export interface PrecisionRow {
  label: string;
  modelVersion: string;
  thresholdsVersion: string;
  flagged: number;
  confirmed: number;
  precision: number;
}

export interface PageUser {
  id: string;
  name: string;
  csrfToken: string;
}

export interface Notice {
  kind: 'info' | 'error';
  message: string;
}

function layout(title: string, user: PageUser | undefined, active: string, body: SafeHtml): string {
  const nav =
    user === undefined
      ? ''
      : html`<nav aria-label="Main">
          <a href="/queue" ${active === 'queue' ? html`aria-current="page"` : ''}>Queues</a>
          <a href="/overview" ${active === 'overview' ? html`aria-current="page"` : ''}>Overview</a>
          <form method="post" action="/logout" class="logout">
            <input type="hidden" name="csrf" value="${user.csrfToken}" />
            <span class="who">Signed in as <strong>${user.name}</strong> (${user.id})</span>
            <button type="submit">Sign out</button>
          </form>
        </nav>`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · modstream review</title>
        <link rel="stylesheet" href="/assets/review.css" />
        <link rel="icon" href="data:," />
        ${user === undefined ? '' : html`<meta name="csrf-token" content="${user.csrfToken}" />`}
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header><span class="brand">modstream review</span>${nav}</header>
        <main id="main">${body}</main>
      </body>
    </html>`.value;
}

function noticeBlock(notice: Notice | undefined): SafeHtml {
  if (notice === undefined) return html``;
  return notice.kind === 'error'
    ? html`<p class="error" role="alert">${notice.message}</p>`
    : html`<p class="notice" role="status">${notice.message}</p>`;
}

export function loginPage(options: { csrfToken: string; next?: string; error?: string }): string {
  return layout(
    'Sign in',
    undefined,
    'login',
    html`<h1>Sign in</h1>
      ${options.error === undefined ? '' : html`<p class="error" role="alert">${options.error}</p>`}
      <form method="post" action="/login" class="login">
        <input type="hidden" name="csrf" value="${options.csrfToken}" />
        ${options.next === undefined ? '' : html`<input type="hidden" name="next" value="${options.next}" />`}
        <label for="username">User name</label>
        <input id="username" name="username" autocomplete="username" required autofocus />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>`,
  );
}

/** A page that only says what went wrong (403, 404, 500), with a way back. */
export function messagePage(title: string, message: string, user?: PageUser): string {
  return layout(
    title,
    user,
    '',
    html`<h1>${title}</h1>
      <p class="error" role="alert">${message}</p>
      <p><a href="/queue">Back to the queues</a></p>`,
  );
}

function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}

function queueItem(item: QueuePageItem, user: PageUser, now: number, position: number): SafeHtml {
  const labelSet = new Set(item.labels);
  const scores = Object.entries(item.scores);
  const headingId = `item-${position}`;
  return html`<li
    class="queue-item"
    data-id="${item.id}"
    data-priority="${item.priority}"
    tabindex="0"
    aria-labelledby="${headingId}"
  >
    <h2 id="${headingId}" class="item-heading">
      Comment <code>${item.id}</code>
      <span class="priority">priority ${item.priority}</span>
    </h2>
    <p class="meta">
      model <span class="model-version">${item.modelVersion}</span> · thresholds
      <span class="thresholds-version">${item.thresholdsVersion}</span> · flagged
      <time datetime="${new Date(item.flaggedAt).toISOString()}">${formatAge(now - item.flaggedAt)} ago</time>
    </p>
    ${
      'text' in item.text
        ? html`<blockquote class="comment-text">${item.text.text}</blockquote>`
        : 'gone' in item.text
          ? html`<p class="comment-gone">
              The comment's input is no longer in the log (compacted or deleted): its text cannot be shown.
            </p>`
          : html`<p class="comment-unavailable">
              The text could not be fetched just now: reload to try again.
            </p>`
    }
    <ul class="labels" aria-label="Flagged labels">
      ${item.labels.map((label) => html`<li>${label} <span class="score">${(item.scores[label] ?? 0).toFixed(2)}</span></li>`)}
    </ul>
    <form method="post" action="/decisions" class="decide">
      <input type="hidden" name="csrf" value="${user.csrfToken}" />
      <input type="hidden" name="id" value="${item.id}" />
      <input type="hidden" name="queue" value="${item.queue}" />
      <fieldset class="relabel">
        <legend>Right labels (for relabel), with calibrated scores</legend>
        ${scores.map(
          ([label, score]) =>
            html`<label class="${labelSet.has(label) ? 'flagged' : ''}"
              ><input type="checkbox" name="labels" value="${label}" /> ${label}
              <span class="score">${score.toFixed(2)}</span></label
            >`,
        )}
      </fieldset>
      <div class="actions">
        <button type="submit" name="decision" value="approve" data-decision="approve">
          Approve <kbd>a</kbd>
        </button>
        <button type="submit" name="decision" value="remove" data-decision="remove">
          Remove <kbd>r</kbd>
        </button>
        <button type="submit" name="decision" value="relabel" data-decision="relabel">
          Relabel <kbd>e</kbd>
        </button>
      </div>
      <p class="item-status" role="status" aria-live="polite"></p>
    </form>
  </li>`;
}

export interface QueuePageOptions {
  user: PageUser;
  queues: readonly { name: string; depth: number }[];
  active: string;
  items: readonly QueuePageItem[];
  now: number;
  notice?: Notice;
  /** Not every item is shown: the page holds the first `items.length` of `depth`. */
  depth: number;
}

export function queuePage(options: QueuePageOptions): string {
  const { user, queues, active, items, now } = options;
  const tabs = html`<nav class="tabs" aria-label="Queues">
    ${queues.map(
      (queue) =>
        html`<a
          href="/queue?name=${encodeURIComponent(queue.name)}"
          ${queue.name === active ? html`aria-current="page"` : ''}
          >${queue.name} <span class="depth">${queue.depth}</span></a
        >`,
    )}
  </nav>`;
  const list =
    items.length === 0
      ? html`<p class="empty">Nothing to review in ${active}.</p>`
      : html`<ol class="queue" data-queue="${active}">
          ${items.map((item, i) => queueItem(item, user, now, i))}
        </ol>`;
  return layout(
    `Queue ${active}`,
    user,
    'queue',
    html`<h1>Queue <span class="queue-name">${active}</span></h1>
      ${tabs} ${noticeBlock(options.notice)}
      <section class="shortcuts" aria-label="Keyboard shortcuts">
        <h2>Keyboard</h2>
        <p>
          <kbd>j</kbd> next · <kbd>k</kbd> previous · <kbd>a</kbd> approve · <kbd>r</kbd> remove (confirm the
          labels) · <kbd>e</kbd> relabel with the ticked labels · <kbd>Tab</kbd> reaches every button and box.
        </p>
      </section>
      <p class="count">
        ${
          items.length < options.depth
            ? `Showing the ${items.length} most urgent of ${options.depth} undecided comments.`
            : `${options.depth} undecided comment${options.depth === 1 ? '' : 's'}, most urgent first.`
        }
      </p>
      ${list}
      <script src="/assets/queue.js" defer></script>`,
  );
}

function precisionTable(rows: readonly PrecisionRow[]): SafeHtml {
  if (rows.length === 0) return html`<p class="empty">No decisions yet.</p>`;
  return html`<table id="precision-table">
    <caption>
      Share of flagged comments moderators confirmed, per label and model / thresholds version
    </caption>
    <thead>
      <tr>
        <th scope="col">Label</th>
        <th scope="col">Model</th>
        <th scope="col">Thresholds</th>
        <th scope="col">Flagged</th>
        <th scope="col">Confirmed</th>
        <th scope="col">Precision</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr
            data-label="${row.label}"
            data-model-version="${row.modelVersion}"
            data-thresholds-version="${row.thresholdsVersion}"
          >
            <th scope="row">${row.label}</th>
            <td>${row.modelVersion}</td>
            <td>${row.thresholdsVersion}</td>
            <td class="flagged">${row.flagged}</td>
            <td class="confirmed">${row.confirmed}</td>
            <td class="precision">${(row.precision * 100).toFixed(1)} %</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export interface OverviewPageOptions {
  user: PageUser;
  queues: readonly { name: string; depth: number }[];
  precision: readonly PrecisionRow[];
  workerMetrics: boolean;
}

export function overviewPage(options: OverviewPageOptions): string {
  const chart = (id: string, title: string, note: string) =>
    html`<figure class="chart">
      <figcaption id="${id}-title">${title}</figcaption>
      <div class="chart-area" id="${id}" role="img" aria-labelledby="${id}-title"></div>
      <p class="chart-note">${note}</p>
    </figure>`;
  return layout(
    'Overview',
    options.user,
    'overview',
    html`<link rel="stylesheet" href="/assets/uPlot.min.css" />
      <h1>Overview</h1>
      <section aria-labelledby="queues-title">
        <h2 id="queues-title">Queue depths</h2>
        <ul class="queue-depths">
          ${options.queues.map(
            (queue) =>
              html`<li data-queue="${queue.name}">
                <a href="/queue?name=${encodeURIComponent(queue.name)}">${queue.name}</a>:
                <span class="depth">${queue.depth}</span> undecided
              </li>`,
          )}
        </ul>
      </section>
      <section aria-labelledby="charts-title" class="charts">
        <h2 id="charts-title">Live</h2>
        <p id="overview-state" role="status">Charts load with JavaScript.</p>
        <p id="worker-state"></p>
        ${
          options.workerMetrics
            ? ''
            : html`<p class="notice">
                No worker metrics URL is configured (MODSTREAM_REVIEW_WORKER_METRICS_URL): worker charts stay
                empty.
              </p>`
        }
        ${chart('chart-events', 'Worker events per second', 'in, out and dead letters, from the worker /metrics')}
        ${chart('chart-cache', 'Cache hit ratio', 'hits ÷ lookups per interval, from the worker /metrics')}
        ${chart('chart-lag', 'Consumer lag', 'messages behind, all partitions, from the worker /metrics')}
        ${chart('chart-queues', 'Queue depths', 'undecided comments per queue')}
        ${chart('chart-labels', 'Label rates', 'flagged comments per minute and label, from the queue topics')}
        ${chart('chart-topics', 'Topic end offsets', 'messages written per second, from the topic watermarks')}
      </section>
      <section aria-labelledby="watermarks-title">
        <h2 id="watermarks-title">Topics</h2>
        <div id="watermarks"></div>
      </section>
      <section aria-labelledby="precision-title">
        <h2 id="precision-title">Precision</h2>
        <div id="precision">${precisionTable(options.precision)}</div>
      </section>
      <script src="/assets/uPlot.iife.min.js" defer></script>
      <script src="/assets/overview.js" defer></script>`,
  );
}
