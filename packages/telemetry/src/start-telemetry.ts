import type { IncomingMessage, ServerResponse } from 'node:http';
import { metrics, type Meter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { NodeSDK, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion: string;
  /**
   * Traces are recorded only when true. Spans go to `spanProcessors` when given, otherwise to the
   * exporters the OTEL_TRACES_EXPORTER / OTEL_EXPORTER_OTLP_* variables select (read by the SDK).
   */
  enableTracing: boolean;
  spanProcessors?: NodeSDKConfiguration['spanProcessors'];
  /** Prefix of every Prometheus metric name; default "modstream". */
  metricPrefix?: string;
}

export interface Telemetry {
  /** Meter of this telemetry instance (also registered as the global meter provider when none was). */
  readonly meter: Meter;
  /** Serves the Prometheus text exposition; the worker mounts it at /metrics. */
  metricsHandler(request: IncomingMessage, response: ServerResponse): void;
  /** Flushes and stops metrics and tracing. Safe to call twice. */
  shutdown(): Promise<void>;
}

export function startTelemetry(options: TelemetryOptions): Telemetry {
  const resource = resourceFromAttributes({
    'service.name': options.serviceName,
    'service.version': options.serviceVersion,
  });
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    withoutScopeInfo: true,
    prefix: options.metricPrefix ?? 'modstream',
  });
  const meterProvider = new MeterProvider({ resource, readers: [exporter] });
  metrics.setGlobalMeterProvider(meterProvider);

  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
    ...(options.enableTracing
      ? options.spanProcessors && { spanProcessors: options.spanProcessors }
      : { spanProcessors: [] }),
  });
  sdk.start();

  let stopping: Promise<void> | undefined;
  return {
    meter: meterProvider.getMeter(options.serviceName, options.serviceVersion),
    metricsHandler: (request, response) => exporter.getMetricsRequestHandler(request, response),
    shutdown() {
      stopping ??= Promise.allSettled([sdk.shutdown(), meterProvider.shutdown()]).then(() => undefined);
      return stopping;
    },
  };
}
