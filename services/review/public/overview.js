/* global document, window, fetch, uPlot, CSS */
// Overview page: polls /api/overview and draws the charts with uPlot (served from node_modules), and keeps
// the precision table, queue depths and topic watermarks current.
(function () {
  'use strict';
  const PALETTE = [
    '#1f6feb',
    '#d1242f',
    '#1a7f37',
    '#9a6700',
    '#8250df',
    '#bf3989',
    '#0a7480',
    '#6e7781',
    '#fb8500',
    '#3a0ca3',
  ];
  const charts = new Map();
  /** The parts of the last update that failed (shown in the status line). */
  let failures = [];

  function el(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes ?? {})) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  /** The time shown at least, ending now, unless a chart asks for more: a sample or two still get a readable axis. */
  const MIN_WINDOW_SECONDS = 30;
  /** Legend labels longer than this get a middle ellipsis (the full name is in the title attribute). */
  const LABEL_MAX = 24;

  function ellipsis(name) {
    if (name.length <= LABEL_MAX) return name;
    const head = 9;
    return name.slice(0, head) + '\u2026' + name.slice(-(LABEL_MAX - head - 1));
  }

  /**
   * Legend labels for long dotted names (topics): the shortest '.'-separated tail that tells the name apart
   * from the others ("….review.priority" → "priority"), middle-ellipsized past LABEL_MAX characters.
   */
  function shortLabels(names) {
    return names.map((name) => {
      const parts = name.split('.');
      for (let n = 1; n < parts.length; n++) {
        const tail = parts.slice(-n).join('.');
        const clash = names.some((other) => other !== name && (other === tail || other.endsWith('.' + tail)));
        if (!clash) return ellipsis(tail);
      }
      return ellipsis(name);
    });
  }

  /** The x range: at least the last `minWindow` seconds up to `now` (seconds), wider when the data is. */
  function timeWindow(t, now, minWindow) {
    const end = Math.max(now, t.length > 0 ? t[t.length - 1] : now);
    const start = Math.min(end - minWindow, t.length > 0 ? t[0] : end);
    return [start, end];
  }

  /** A note over the chart area when it has no value to show (the chart itself stays, with its axes). */
  function emptyNote(host, text) {
    let note = host.querySelector('.chart-empty');
    if (!text) {
      if (note) note.remove();
      return;
    }
    if (!note) {
      note = el('p', { class: 'chart-empty', role: 'status' });
      host.append(note);
    }
    note.textContent = text;
  }

  /**
   * Draws (or redraws) one chart: `t` seconds since the epoch and named series aligned with it, over the
   * time window ending at `now` (seconds). Options: yLabel, yRange ([min, max]), yFormat (tick text),
   * points (always mark the points: sparse series), minWindow (seconds shown at least), empty (the note
   * shown when there is no value).
   */
  function draw(id, t, named, now, options) {
    const host = document.getElementById(id);
    if (!host) return;
    const names = Object.keys(named);
    const key = names.join('\u0000');
    const data = [t, ...names.map((name) => named[name])];
    const width = Math.max(280, host.clientWidth || 600);
    let chart = charts.get(id);
    if (chart && chart.key !== key) {
      chart.plot.destroy();
      chart = undefined;
    }
    const window_ = timeWindow(t, now, options.minWindow ?? MIN_WINDOW_SECONDS);
    if (!chart) {
      host.textContent = '';
      const state = { key, window: window_ };
      const labels = shortLabels(names);
      const yAxis = { label: options.yLabel };
      if (options.yFormat) yAxis.values = (_u, ticks) => ticks.map(options.yFormat);
      const plot = new uPlot(
        {
          width,
          height: 220,
          series: [
            {},
            ...names.map((name, i) => ({
              label: labels[i],
              stroke: PALETTE[i % PALETTE.length],
              width: 2,
              spanGaps: false,
              ...(options.points ? { points: { show: true, size: 6 } } : {}),
              ...(options.yFormat
                ? { value: (_u, v) => (v === null || v === undefined ? '--' : options.yFormat(v)) }
                : {}),
            })),
          ],
          axes: [{}, yAxis],
          scales: {
            x: { time: true, range: () => state.window },
            ...(options.yRange ? { y: { range: () => options.yRange } } : {}),
          },
        },
        data,
        host,
      );
      // The full names where the legend shows them shortened.
      plot.root.querySelectorAll('.u-legend .u-series').forEach((row, i) => {
        if (i > 0 && names[i - 1] !== undefined) row.setAttribute('title', names[i - 1]);
      });
      state.plot = plot;
      chart = state;
      charts.set(id, chart);
    } else {
      chart.window = window_;
      chart.plot.setData(data);
      if (Math.abs(chart.plot.width - width) > 8) chart.plot.setSize({ width, height: 220 });
    }
    const hasValue = names.some((name) => named[name].some((v) => v !== null && v !== undefined));
    emptyNote(host, hasValue ? undefined : options.empty);
    host.dataset.points = String(t.length);
  }

  function precisionTable(rows) {
    const holder = document.getElementById('precision');
    if (!holder) return;
    if (rows.length === 0) {
      holder.replaceChildren(el('p', { class: 'empty' }, 'No decisions yet.'));
      return;
    }
    const table = el('table', { id: 'precision-table' });
    table.append(
      el(
        'caption',
        {},
        'Share of flagged comments moderators confirmed, per label and model / thresholds version',
      ),
    );
    const head = el('tr');
    for (const title of ['Label', 'Model', 'Thresholds', 'Flagged', 'Confirmed', 'Precision'])
      head.append(el('th', { scope: 'col' }, title));
    const thead = el('thead');
    thead.append(head);
    table.append(thead);
    const body = el('tbody');
    for (const row of rows) {
      const tr = el('tr', {
        'data-label': row.label,
        'data-model-version': row.modelVersion,
        'data-thresholds-version': row.thresholdsVersion,
      });
      tr.append(
        el('th', { scope: 'row' }, row.label),
        el('td', {}, row.modelVersion),
        el('td', {}, row.thresholdsVersion),
        el('td', { class: 'flagged' }, row.flagged),
        el('td', { class: 'confirmed' }, row.confirmed),
        el('td', { class: 'precision' }, (row.precision * 100).toFixed(1) + ' %'),
      );
      body.append(tr);
    }
    table.append(body);
    holder.replaceChildren(table);
  }

  function queueDepths(queues) {
    for (const queue of queues) {
      const depth = document.querySelector(
        '.queue-depths li[data-queue="' + CSS.escape(queue.name) + '"] .depth',
      );
      if (depth) depth.textContent = String(queue.depth);
    }
  }

  /** A decimal offset string (offsets can exceed 2^53); messages = high − low, '' when unreadable. */
  function messages(low, high) {
    try {
      return (BigInt(high) - BigInt(low)).toString();
    } catch {
      return '';
    }
  }

  function watermarks(topics) {
    const holder = document.getElementById('watermarks');
    if (!holder) return;
    const rows = (Array.isArray(topics) ? topics : []).flatMap((topic) =>
      (Array.isArray(topic.partitions) ? topic.partitions : []).map((p) => ({ topic: topic.topic, ...p })),
    );
    if (rows.length === 0) {
      holder.replaceChildren(el('p', { class: 'empty' }, 'No topic watermarks read yet.'));
      return;
    }
    const table = el('table', { id: 'watermarks-table' });
    table.append(
      el(
        'caption',
        {},
        'Topic watermarks: the earliest offset still in the log and the next offset, per partition',
      ),
    );
    const head = el('tr');
    for (const title of ['Topic', 'Partition', 'Low', 'High', 'Messages'])
      head.append(el('th', { scope: 'col' }, title));
    const thead = el('thead');
    thead.append(head);
    table.append(thead);
    const body = el('tbody');
    for (const row of rows) {
      const tr = el('tr', { 'data-topic': row.topic, 'data-partition': row.partition });
      tr.append(
        el('th', { scope: 'row' }, row.topic),
        el('td', { class: 'offset' }, row.partition),
        el('td', { class: 'offset' }, row.low),
        el('td', { class: 'offset' }, row.high),
        el('td', { class: 'offset' }, messages(row.low, row.high)),
      );
      body.append(tr);
    }
    table.append(body);
    holder.replaceChildren(table);
  }

  /** Runs one part of the page update; a part that throws leaves the others drawn. */
  function part(name, update) {
    try {
      update();
    } catch (error) {
      failures.push(name + ': ' + error.message);
    }
  }

  async function refresh() {
    let data;
    try {
      const response = await fetch('/api/overview', {
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
      });
      if (response.status === 401) {
        window.location.assign('/login?next=/overview');
        return;
      }
      if (!response.ok) throw new Error('HTTP ' + response.status);
      data = await response.json();
    } catch (error) {
      const state = document.getElementById('overview-state');
      if (state) state.textContent = 'Could not refresh: ' + error.message;
      return;
    }
    failures = [];
    // uPlot's x unit: seconds since the epoch (the API's points are; `now` is milliseconds).
    const now = (typeof data.now === 'number' ? data.now : Date.now()) / 1000;
    const empty = { t: [], series: {} };
    const worker = data.worker ?? { points: [] };
    const points = worker.points ?? [];
    const t = points.map((p) => p.t);
    part('events', () =>
      draw(
        'chart-events',
        t,
        {
          'in /s': points.map((p) => p.eventsInPerSecond),
          'out /s': points.map((p) => p.eventsOutPerSecond),
          'dead letters /s': points.map((p) => p.deadLettersPerSecond),
        },
        now,
        { yLabel: 'events/s', empty: 'No worker samples yet.' },
      ),
    );
    part('cache', () =>
      draw(
        'chart-cache',
        t,
        {
          'hit ratio': points.map((p) =>
            typeof p.cacheHitRatio === 'number' ? p.cacheHitRatio * 100 : null,
          ),
        },
        now,
        {
          yLabel: 'hit ratio',
          yRange: [0, 100],
          yFormat: (v) => Math.round(v) + ' %',
          points: true,
          empty: 'No cache lookups yet.',
        },
      ),
    );
    part('lag', () =>
      draw('chart-lag', t, { lag: points.map((p) => p.consumerLag) }, now, {
        yLabel: 'messages',
        empty: 'No worker samples yet.',
      }),
    );
    const queueSeries = data.queueDepths ?? empty;
    part('queues', () =>
      draw('chart-queues', queueSeries.t, queueSeries.series, now, {
        yLabel: 'undecided',
        empty: 'No samples yet.',
      }),
    );
    const labelSeries = data.labelRates ?? empty;
    part('labels', () =>
      draw('chart-labels', labelSeries.t, labelSeries.series, now, {
        yLabel: 'per minute',
        points: true,
        // Minute buckets: a few minutes up to now, so that one bucket is a point in time, not the whole axis.
        minWindow: 10 * 60,
        empty: 'No flagged comments yet.',
      }),
    );
    const topicSeries = data.topicRates ?? empty;
    part('topics', () =>
      draw('chart-topics', topicSeries.t, topicSeries.series, now, {
        yLabel: 'messages/s',
        empty: 'No samples yet.',
      }),
    );
    const workerState = document.getElementById('worker-state');
    if (workerState) {
      workerState.textContent = !worker.configured
        ? ''
        : worker.up
          ? 'Worker metrics: up.'
          : 'Worker metrics unreachable: ' + (worker.lastError ?? 'no answer yet');
    }
    part('precision', () => precisionTable(data.precision ?? []));
    part('queue depths', () => queueDepths(data.queues ?? []));
    part('watermarks', () => watermarks(data.watermarks));
    const state = document.getElementById('overview-state');
    if (state) {
      state.textContent =
        'Updated ' +
        new Date(now * 1000).toLocaleTimeString() +
        (failures.length > 0 ? ' (not shown: ' + failures.join('; ') + ')' : '');
    }
  }

  void refresh();
  window.setInterval(() => void refresh(), 5000);
})();
