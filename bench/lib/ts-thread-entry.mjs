// Worker-thread entry that loads a TypeScript module through tsx: on Node 20 a worker does not inherit
// the loader hooks that `--import tsx` registered on the main thread.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
