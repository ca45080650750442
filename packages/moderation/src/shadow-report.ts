import { shadowEventSchema, type ShadowEvent } from '@modstream/events';

/** A model as a shadow event names it. */
export interface ModelVersions {
  modelVersion: string;
  thresholdsVersion: string;
}

/** One label's decisions by both models over the comments of one version pair. */
export interface ShadowLabelReport {
  label: string;
  /** Comments sampled (every comment of the pair: a label a model does not have counts as not flagged). */
  n: number;
  both: number;
  primaryOnly: number;
  shadowOnly: number;
  neither: number;
  /** Share of comments where both models decide the same: (both + neither) ÷ n. */
  agreement: number;
  flaggedPrimary: number;
  flaggedShadow: number;
  /** flaggedShadow − flaggedPrimary. */
  change: number;
  /** change ÷ flaggedPrimary; null when the primary flags nothing. */
  relativeChange: number | null;
  /** Up to `samples` comment ids of each disagreement, first seen first. */
  samples: { primaryOnly: string[]; shadowOnly: string[] };
}

/** The comments scored by one primary/shadow version pair. */
export interface ShadowPairReport {
  primary: ModelVersions;
  shadow: ModelVersions;
  /** Distinct comment ids. */
  comments: number;
  /** Events for a comment id seen before in this pair (at-least-once redelivery); the first one counts. */
  duplicates: number;
  /** Share of comments where the models agree on every label. */
  exactAgreement: number;
  /** Range of the events' `at`. */
  firstAt: string;
  lastAt: string;
  /** In the order the labels first appear (the primary's model order). */
  labels: ShadowLabelReport[];
}

export interface ShadowReport {
  totals: {
    /** Everything offered: valid, invalid and duplicates. */
    events: number;
    invalid: number;
    duplicates: number;
    comments: number;
  };
  /** Version pairs by number of comments, most first. */
  pairs: ShadowPairReport[];
}

export interface ShadowReportOptions {
  /** Comment ids kept per label and direction of disagreement (default 5). */
  samples?: number;
}

interface LabelCounts {
  both: number;
  primaryOnly: number;
  shadowOnly: number;
  neither: number;
  samplesPrimaryOnly: string[];
  samplesShadowOnly: string[];
}

interface PairState {
  primary: ModelVersions;
  shadow: ModelVersions;
  ids: Set<string>;
  duplicates: number;
  exact: number;
  firstAt: string;
  lastAt: string;
  labels: Map<string, LabelCounts>;
}

/**
 * Builds the rollout report of a shadow topic one event at a time (its memory grows with the distinct
 * comment ids, not with the events' contents). Events that fail `shadowEventSchema` are counted as
 * invalid, never thrown.
 */
export class ShadowReportBuilder {
  readonly #samples: number;
  readonly #pairs = new Map<string, PairState>();
  #events = 0;
  #invalid = 0;

  constructor(options: ShadowReportOptions = {}) {
    this.#samples = Math.max(0, options.samples ?? 5);
  }

  /** A message value as read from the topic: UTF-8 JSON of a shadow event (a tombstone is invalid). */
  addMessage(value: Buffer | string | null): void {
    if (value === null) return this.add(undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
    } catch {
      this.#events++;
      this.#invalid++;
      return;
    }
    this.add(parsed);
  }

  /** A parsed event, validated here. */
  add(event: unknown): void {
    this.#events++;
    const parsed = shadowEventSchema.safeParse(event);
    if (!parsed.success) {
      this.#invalid++;
      return;
    }
    this.#count(parsed.data);
  }

  build(): ShadowReport {
    const pairs = [...this.#pairs.values()].map((pair) => this.#pairReport(pair));
    pairs.sort((a, b) => b.comments - a.comments);
    return {
      totals: {
        events: this.#events,
        invalid: this.#invalid,
        duplicates: pairs.reduce((sum, pair) => sum + pair.duplicates, 0),
        comments: pairs.reduce((sum, pair) => sum + pair.comments, 0),
      },
      pairs,
    };
  }

  #count(event: ShadowEvent): void {
    const primary = versions(event.primary);
    const shadow = versions(event.shadow);
    const key = JSON.stringify([primary, shadow]);
    let pair = this.#pairs.get(key);
    if (pair === undefined) {
      pair = {
        primary,
        shadow,
        ids: new Set(),
        duplicates: 0,
        exact: 0,
        firstAt: event.at,
        lastAt: event.at,
        labels: new Map(),
      };
      this.#pairs.set(key, pair);
    }
    if (pair.ids.has(event.id)) {
      pair.duplicates++;
      return;
    }
    pair.ids.add(event.id);
    if (Date.parse(event.at) < Date.parse(pair.firstAt)) pair.firstAt = event.at;
    if (Date.parse(event.at) > Date.parse(pair.lastAt)) pair.lastAt = event.at;

    const names = [
      ...Object.keys(event.primary.scores),
      ...event.primary.labels,
      ...Object.keys(event.shadow.scores),
      ...event.shadow.labels,
    ];
    // A label first seen now counts as "neither" for the comments before it (no model scored it then).
    for (const label of names)
      if (!pair.labels.has(label)) pair.labels.set(label, newCounts(pair.ids.size - 1));
    const primaryLabels = new Set(event.primary.labels);
    const shadowLabels = new Set(event.shadow.labels);
    let exact = true;
    for (const [label, counts] of pair.labels) {
      const p = primaryLabels.has(label);
      const s = shadowLabels.has(label);
      if (p && s) counts.both++;
      else if (!p && !s) counts.neither++;
      else {
        exact = false;
        const [count, samples] = p
          ? (['primaryOnly', counts.samplesPrimaryOnly] as const)
          : (['shadowOnly', counts.samplesShadowOnly] as const);
        counts[count]++;
        if (samples.length < this.#samples) samples.push(event.id);
      }
    }
    if (exact) pair.exact++;
  }

  #pairReport(pair: PairState): ShadowPairReport {
    const comments = pair.ids.size;
    return {
      primary: pair.primary,
      shadow: pair.shadow,
      comments,
      duplicates: pair.duplicates,
      exactAgreement: pair.exact / comments,
      firstAt: pair.firstAt,
      lastAt: pair.lastAt,
      labels: [...pair.labels].map(([label, c]) => {
        const n = c.both + c.primaryOnly + c.shadowOnly + c.neither;
        const flaggedPrimary = (c.both + c.primaryOnly) / n;
        const flaggedShadow = (c.both + c.shadowOnly) / n;
        const change = flaggedShadow - flaggedPrimary;
        return {
          label,
          n,
          both: c.both,
          primaryOnly: c.primaryOnly,
          shadowOnly: c.shadowOnly,
          neither: c.neither,
          agreement: (c.both + c.neither) / n,
          flaggedPrimary,
          flaggedShadow,
          change,
          relativeChange: flaggedPrimary === 0 ? null : change / flaggedPrimary,
          samples: { primaryOnly: c.samplesPrimaryOnly, shadowOnly: c.samplesShadowOnly },
        };
      }),
    };
  }
}

/** The report of a list of events (parsed JSON, validated here). */
export function buildShadowReport(
  events: Iterable<unknown>,
  options: ShadowReportOptions = {},
): ShadowReport {
  const builder = new ShadowReportBuilder(options);
  for (const event of events) builder.add(event);
  return builder.build();
}

function versions(verdict: ShadowEvent['primary']): ModelVersions {
  return { modelVersion: verdict.model_version, thresholdsVersion: verdict.thresholds_version };
}

function newCounts(neither: number): LabelCounts {
  return { both: 0, primaryOnly: 0, shadowOnly: 0, neither, samplesPrimaryOnly: [], samplesShadowOnly: [] };
}
