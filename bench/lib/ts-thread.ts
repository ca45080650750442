import { Worker } from 'node:worker_threads';

/** Starts a worker thread running the TypeScript module at `entry`; `data` arrives as `workerData.data`. */
export function startTsThread(entry: URL, data: unknown): Worker {
  return new Worker(new URL('./ts-thread-entry.mjs', import.meta.url), {
    workerData: { entry: entry.href, data },
  });
}
