/* global document, window, fetch */
// Queue page: decisions without a page reload, and the keyboard (j/k move, a approve, r remove, e relabel).
// Without JavaScript the same forms post and the server redirects back to the queue.
(function () {
  'use strict';
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
  const items = () => Array.from(document.querySelectorAll('li.queue-item:not([data-decided])'));
  const current = () => document.activeElement?.closest?.('li.queue-item:not([data-decided])') ?? null;

  function focusItem(item) {
    if (!item) return;
    item.focus();
    item.scrollIntoView({ block: 'nearest' });
  }

  function move(step) {
    const list = items();
    if (list.length === 0) return;
    const at = list.indexOf(current());
    const next = at === -1 ? 0 : Math.min(list.length - 1, Math.max(0, at + step));
    focusItem(list[next]);
  }

  function status(item, kind, message) {
    const line = item.querySelector('.item-status');
    line.className = 'item-status ' + kind;
    line.textContent = message;
  }

  function setBusy(item, busy) {
    for (const button of item.querySelectorAll('button[data-decision]')) button.disabled = busy;
  }

  function updateDepth(delta) {
    const tab = document.querySelector('.tabs a[aria-current="page"] .depth');
    if (tab) tab.textContent = String(Math.max(0, Number(tab.textContent) + delta));
  }

  async function decide(item, decision) {
    if (item.dataset.busy === '1' || item.hasAttribute('data-decided')) return;
    const labels =
      decision === 'relabel'
        ? Array.from(item.querySelectorAll('input[type=checkbox][name=labels]:checked')).map(
            (box) => box.value,
          )
        : [];
    if (decision === 'relabel' && labels.length === 0) {
      status(item, 'error', 'Tick the right labels first, then relabel.');
      return;
    }
    item.dataset.busy = '1';
    setBusy(item, true);
    status(item, '', 'Sending…');
    let response;
    let body = {};
    try {
      response = await fetch('/decisions', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ id: item.dataset.id, decision, labels }),
      });
      body = await response.json().catch(() => ({}));
    } catch {
      status(item, 'error', 'The service did not answer: try again.');
      item.dataset.busy = '0';
      setBusy(item, false);
      return;
    }
    item.dataset.busy = '0';
    if (response.status === 401) {
      window.location.assign(
        '/login?next=' + encodeURIComponent(window.location.pathname + window.location.search),
      );
      return;
    }
    if (response.ok && body.status === 'decided') {
      const list = items();
      const at = list.indexOf(item);
      const next = list[at + 1] ?? list[at - 1];
      item.setAttribute('data-decided', body.decision ?? decision);
      item.remove();
      updateDepth(-1);
      focusItem(next);
      const live = document.querySelector('.count');
      if (live) live.textContent = 'Decided ' + item.dataset.id + ' (' + decision + ').';
      return;
    }
    if (response.status === 409 && body.status === 'already_decided') {
      item.setAttribute('data-decided', body.decision ?? '');
      status(item, 'notice', 'already decided by ' + body.moderator);
      updateDepth(-1);
      return;
    }
    setBusy(item, false);
    status(item, 'error', body.message ?? 'The decision failed (HTTP ' + response.status + ').');
  }

  document.addEventListener('submit', (event) => {
    const form = event.target;
    const item = form.closest?.('li.queue-item');
    if (!item) return;
    event.preventDefault();
    const decision = event.submitter?.dataset.decision;
    if (decision) void decide(item, decision);
  });

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const target = event.target;
    if (target instanceof window.HTMLElement) {
      const type = target.getAttribute('type');
      if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return;
      if (target.tagName === 'INPUT' && type !== 'checkbox') return;
    }
    const actions = { a: 'approve', r: 'remove', e: 'relabel' };
    if (event.key === 'j' || event.key === 'k') {
      event.preventDefault();
      move(event.key === 'j' ? 1 : -1);
    } else if (event.key in actions) {
      const item = current();
      if (!item) return;
      event.preventDefault();
      void decide(item, actions[event.key]);
    }
  });

  if (!current() && document.activeElement === document.body) focusItem(items()[0]);
})();
