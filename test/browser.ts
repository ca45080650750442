// Headless Chromium for the browser end-to-end tests: Debian's `chromium` package (scripts/setup-browser.sh)
// driven by puppeteer-core, which never downloads a browser of its own.
import { access, constants } from 'node:fs/promises';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** The browser binary: $MODSTREAM_CHROMIUM, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.MODSTREAM_CHROMIUM ?? '/usr/bin/chromium';
}

export class BrowserUnavailableError extends Error {
  override readonly name = 'BrowserUnavailableError';
}

/** Launches headless Chromium; a missing binary is a clear error naming the setup script. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  try {
    await access(executablePath, constants.X_OK);
  } catch {
    throw new BrowserUnavailableError(
      `no Chromium at ${executablePath}: run \`bash scripts/setup-browser.sh\` (Debian's chromium package)`,
    );
  }
  return puppeteer.launch({
    executablePath,
    headless: true,
    // Root in a container: no user namespaces for the sandbox; /dev/shm may be small.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--mute-audio'],
    defaultViewport: { width: 1280, height: 900 },
    // The tests' own timeouts (waitFor) bound each step; a slow shared machine needs more than 30 s here.
    protocolTimeout: 120_000,
  });
}

/**
 * Readies a page for functions passed to `page.evaluate` from these tests: tsx compiles the tests with esbuild's
 * keepNames, which wraps named functions in a `__name(fn, "name")` call that the page does not define.
 */
export async function preparePage(page: Page): Promise<Page> {
  await page.evaluateOnNewDocument('globalThis.__name = (fn) => fn;');
  page.setDefaultTimeout(30_000);
  return page;
}

/** PNG width and height from the IHDR chunk. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || signature.some((byte, i) => png[i] !== byte)) throw new Error('not a PNG');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
