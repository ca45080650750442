// The browser driver works on this machine: Debian's chromium launches headless, runs a page's script,
// takes keyboard input and a screenshot. Needs no stack.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchChromium, pngSize } from './browser.js';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>smoke</title></head>
<body>
  <p id="out">waiting</p>
  <button id="go" type="button">go</button>
  <script>
    const out = document.getElementById('out');
    document.addEventListener('keydown', (event) => { out.textContent = 'key ' + event.key; });
    document.getElementById('go').addEventListener('click', () => { out.textContent = 'clicked'; });
  </script>
</body></html>`;

test('headless chromium: loads a data: URL, runs its script, takes keys and clicks, screenshots', async (t) => {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const version = await browser.version();
  assert.match(version, /Chrom/);

  const page = await browser.newPage();
  await page.goto(`data:text/html;charset=utf-8,${encodeURIComponent(PAGE)}`);
  assert.equal(await page.title(), 'smoke');
  const text = () => page.$eval('#out', (element) => element.textContent);
  assert.equal(await text(), 'waiting');

  await page.keyboard.press('j');
  assert.equal(await text(), 'key j');
  await page.click('#go');
  assert.equal(await text(), 'clicked');

  const png = await page.screenshot({ type: 'png' });
  assert.deepEqual(pngSize(png), { width: 1280, height: 900 });
  console.log(`browser smoke: ${version}, screenshot ${png.length} bytes`);
});
