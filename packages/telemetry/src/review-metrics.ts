import type { Meter } from '@opentelemetry/api';

/** One precision figure: decided comments that had `label` flagged, and how many of them moderators kept. */
export interface PrecisionFigure {
  label: string;
  modelVersion: string;
  thresholdsVersion: string;
  flagged: number;
  confirmed: number;
  precision: number;
}

export interface ReviewMetricsSources {
  /** Undecided comments per queue, read at each collection. */
  queues(): readonly { name: string; depth: number }[];
  /** Live precision per label × model version × thresholds version, read at each collection. */
  precision(): readonly PrecisionFigure[];
}

/** The review service's metrics: decisions by outcome, queue depths and live precision. */
export interface ReviewMetrics {
  /** One decision request: `decision` approve/remove/relabel, `outcome` decided, already_decided, ... */
  decision(decision: string, outcome: string): void;
}

export function createReviewMetrics(meter: Meter, sources: ReviewMetricsSources): ReviewMetrics {
  const decisions = meter.createCounter('review_decisions', {
    description:
      'Decision requests by decision and outcome (decided, already_decided, unknown_comment, invalid, failed)',
  });
  for (const decision of ['approve', 'remove', 'relabel']) decisions.add(0, { decision, outcome: 'decided' });
  meter
    .createObservableGauge('review_queue_depth', { description: 'Undecided comments per review queue' })
    .addCallback((result) => {
      for (const queue of sources.queues()) result.observe(queue.depth, { queue: queue.name });
    });
  const attributes = (figure: PrecisionFigure) => ({
    label: figure.label,
    model_version: figure.modelVersion,
    thresholds_version: figure.thresholdsVersion,
  });
  meter
    .createObservableGauge('review_precision', {
      description:
        'Share of decided flagged comments whose label moderators kept, by label and model/thresholds',
    })
    .addCallback((result) => {
      for (const figure of sources.precision()) result.observe(figure.precision, attributes(figure));
    });
  meter
    .createObservableGauge('review_flagged', {
      description: 'Decided comments that had the label flagged (the precision denominator)',
    })
    .addCallback((result) => {
      for (const figure of sources.precision()) result.observe(figure.flagged, attributes(figure));
    });
  meter
    .createObservableGauge('review_confirmed', {
      description: 'Of those, comments whose label the moderator kept (the precision numerator)',
    })
    .addCallback((result) => {
      for (const figure of sources.precision()) result.observe(figure.confirmed, attributes(figure));
    });
  return { decision: (decision, outcome) => decisions.add(1, { decision, outcome }) };
}
