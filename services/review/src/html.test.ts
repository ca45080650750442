import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, html, raw } from './html.js';

test('interpolations are escaped unless they are html themselves', () => {
  const text = `<img src=x onerror="alert('x')"> & more`;
  assert.equal(
    html`<p title="${text}">${text}</p>`.value,
    '<p title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; &amp; more">' +
      '&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; &amp; more</p>',
  );
  const items = html`<li>${'b&c'}</li>`;
  assert.equal(html`<b>${['<a>', items]}</b>`.value, '<b>&lt;a&gt;<li>b&amp;c</li></b>');
  assert.equal(html`${null}${undefined}${false}${0}${raw('<br>')}`.value, '0<br>');
  assert.equal(escapeHtml('"\''), '&quot;&#39;');
});
