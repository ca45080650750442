import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { repoRoot } from './paths.js';

export interface BenchProcess {
  child: ChildProcess;
  /** The last 500 lines the process wrote. */
  logs: string[];
  alive(): boolean;
  /** Peak resident set size so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export function startProcess(args: string[], env: Record<string, string>): BenchProcess {
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const keep = (line: string): void => {
    logs.push(line);
    if (logs.length > 500) logs.shift();
  };
  createInterface({ input: child.stdout! }).on('line', keep);
  createInterface({ input: child.stderr! }).on('line', keep);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let running = true;
  void exited.then(() => (running = false));
  return {
    child,
    logs,
    alive: () => running,
    peakRssMiB: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
      if (kib === undefined) throw new Error(`no VmHWM in /proc/${child.pid}/status`);
      return Number(kib) / 1024;
    },
    stop: async (graceMs = 20_000) => {
      if (!running) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** node arguments that run a TypeScript file of the repository from source. */
export function tsArgs(file: string, ...args: string[]): string[] {
  return ['--conditions=@modstream/source', '--import', 'tsx', file, ...args];
}

function logEntry(proc: BenchProcess, message: string): Record<string, unknown> | undefined {
  for (const line of proc.logs) {
    try {
      const entry = JSON.parse(line) as { msg?: string } & Record<string, unknown>;
      if (entry.msg === message) return entry;
    } catch {
      // not JSON
    }
  }
  return undefined;
}

/** The worker's own counters, from its "stopped" log line. */
export function workerStats(proc: BenchProcess): Record<string, unknown> | undefined {
  return logEntry(proc, 'stopped')?.stats as Record<string, unknown> | undefined;
}

export interface WorkerSettings {
  sessions: number;
  intraOpThreads: number;
  batch: { maxItems: number; maxTokens: number; maxWaitMs: number; maxInFlight?: number };
}

/** The inference and batching settings the worker runs with, from its "model loaded" log line. */
export function workerSettings(proc: BenchProcess): WorkerSettings | undefined {
  const entry = logEntry(proc, 'model loaded');
  return entry?.batch === undefined ? undefined : (entry as unknown as WorkerSettings);
}
