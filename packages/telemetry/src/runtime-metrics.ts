import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BatchObservableResult, Meter } from '@opentelemetry/api';

export interface RuntimeMetricsOptions {
  /** Sampling interval of the event-loop delay histogram in milliseconds; default 10. */
  resolutionMs?: number;
}

export interface RuntimeMetrics {
  /** Stops sampling and removes the gauges' callback. Safe to call twice. */
  stop(): void;
}

const NS_PER_MS = 1e6;

/**
 * Event-loop delay of the calling thread (`perf_hooks.monitorEventLoopDelay`), exported as the gauges
 * `event_loop_delay_p50_ms`, `event_loop_delay_p99_ms` and `event_loop_delay_max_ms`: how late the sampling
 * timer fired, in milliseconds, over the interval since the previous collection. Each collection (a
 * /metrics scrape) reads and then resets the histogram, as OpenTelemetry's runtime-node instrumentation
 * does; a collection without a new sample keeps the previous values (the exporter's cumulative state).
 */
export function createRuntimeMetrics(meter: Meter, options: RuntimeMetricsOptions = {}): RuntimeMetrics {
  const resolutionMs = options.resolutionMs ?? 10;
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  // The histogram records the time between two timer runs, which includes the interval itself.
  const delayMs = (ns: number): number => Math.max(0, ns / NS_PER_MS - resolutionMs);

  const p50 = meter.createObservableGauge('event_loop_delay_p50_ms', {
    description: 'Event-loop delay, median since the previous collection, in milliseconds',
  });
  const p99 = meter.createObservableGauge('event_loop_delay_p99_ms', {
    description: 'Event-loop delay, 99th percentile since the previous collection, in milliseconds',
  });
  const max = meter.createObservableGauge('event_loop_delay_max_ms', {
    description: 'Event-loop delay, maximum since the previous collection, in milliseconds',
  });
  const observables = [p50, p99, max];
  const collect = (result: BatchObservableResult): void => {
    if (histogram.count === 0) return;
    result.observe(p50, delayMs(histogram.percentile(50)));
    result.observe(p99, delayMs(histogram.percentile(99)));
    result.observe(max, delayMs(histogram.max));
    histogram.reset();
  };
  meter.addBatchObservableCallback(collect, observables);

  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      meter.removeBatchObservableCallback(collect, observables);
      histogram.disable();
    },
  };
}
