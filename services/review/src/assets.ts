import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Static files served under /assets/<name>, read once at start. */
export type Assets = Record<string, { type: string; body: Buffer }>;

/** services/review/public, from src/ or dist/. */
const publicDir = fileURLToPath(new URL('../public/', import.meta.url));

/**
 * The app's CSS and client scripts, and uPlot from node_modules (no CDN): the charting library is served
 * from the installed package, so the version is the one in the lockfile.
 */
export async function loadAssets(): Promise<Assets> {
  const require = createRequire(import.meta.url);
  const uplotDist = dirname(require.resolve('uplot'));
  const files: [string, string, string][] = [
    ['review.css', join(publicDir, 'review.css'), 'text/css; charset=utf-8'],
    ['queue.js', join(publicDir, 'queue.js'), 'text/javascript; charset=utf-8'],
    ['overview.js', join(publicDir, 'overview.js'), 'text/javascript; charset=utf-8'],
    ['uPlot.iife.min.js', join(uplotDist, 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
    ['uPlot.min.css', join(uplotDist, 'uPlot.min.css'), 'text/css; charset=utf-8'],
  ];
  const assets: Assets = {};
  for (const [name, path, type] of files) assets[name] = { type, body: await readFile(path) };
  return assets;
}
