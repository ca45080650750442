import type { PartitionRange } from '@modstream/kafka-io';
import type { ModelVersions, ShadowPairReport, ShadowReport } from '@modstream/moderation';
import { brokerListSchema } from '../config.js';
import { UsageError } from './command-args.js';

/** What was read: the topic, from when, and each partition's offset range. */
export interface ShadowReadInfo {
  topic: string;
  since: Date | undefined;
  /** `--since` when it was a duration, e.g. "2h". */
  sinceDuration: string | undefined;
  partitions: PartitionRange[];
}

const UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d+(?:\.\d+)?)([smhdw])$/;

/** Whether `--since` is a duration (`90m`, `2h`, `7d`) rather than a time. */
export function isDuration(value: string): boolean {
  return DURATION.test(value.trim());
}

/** `--since`: an ISO 8601 time (`2026-12-04`, `2026-12-04T10:00:00Z`) or a duration back from `now` (`90m`, `2h`, `7d`). */
export function parseSince(value: string, now: Date = new Date()): Date {
  const duration = DURATION.exec(value.trim());
  if (duration !== null) return new Date(now.getTime() - Number(duration[1]) * UNITS_MS[duration[2]!]!);
  if (/^\d{4}-\d{2}-\d{2}([T ].*)?$/.test(value.trim())) {
    const time = Date.parse(value.trim());
    if (!Number.isNaN(time)) return new Date(time);
  }
  throw new UsageError(
    `--since must be an ISO time (2026-12-04T10:00:00Z) or a duration (30m, 2h, 7d), got ${JSON.stringify(value)}`,
  );
}

/** `--brokers host:port,...`, checked like MODSTREAM_KAFKA_BROKERS. */
export function parseBrokers(value: string): string[] {
  const parsed = brokerListSchema.safeParse(value);
  if (!parsed.success || parsed.data.length === 0)
    throw new UsageError(`--brokers must be a comma-separated host:port list, got ${JSON.stringify(value)}`);
  return parsed.data;
}

const versionsJson = (v: ModelVersions) => ({
  model_version: v.modelVersion,
  thresholds_version: v.thresholdsVersion,
});

/** The report as `--json` prints it (snake_case, rates as fractions 0–1). */
export function shadowReportJson(report: ShadowReport, read: ShadowReadInfo): Record<string, unknown> {
  return {
    topic: read.topic,
    since: read.since?.toISOString() ?? null,
    partitions: read.partitions,
    events: report.totals.events,
    invalid: report.totals.invalid,
    duplicates: report.totals.duplicates,
    comments: report.totals.comments,
    pairs: report.pairs.map((pair) => ({
      primary: versionsJson(pair.primary),
      shadow: versionsJson(pair.shadow),
      comments: pair.comments,
      duplicates: pair.duplicates,
      exact_agreement: pair.exactAgreement,
      first_at: pair.firstAt,
      last_at: pair.lastAt,
      labels: pair.labels.map((l) => ({
        label: l.label,
        n: l.n,
        both: l.both,
        primary_only: l.primaryOnly,
        shadow_only: l.shadowOnly,
        neither: l.neither,
        agreement: l.agreement,
        flagged_primary: l.flaggedPrimary,
        flagged_shadow: l.flaggedShadow,
        change: l.change,
        relative_change: l.relativeChange,
        samples: { primary_only: l.samples.primaryOnly, shadow_only: l.samples.shadowOnly },
      })),
    })),
  };
}

const percent = (rate: number, digits: number) => (rate * 100).toFixed(digits);
const signed = (text: string) => (text.startsWith('-') ? text : `+${text}`);
const count = (n: number) => n.toLocaleString('en-US');

/** Change in percentage points, with the relative change ("n/a" when the primary flags nothing). */
function change(absolute: number, relative: number | null): string {
  const points = `${signed(percent(absolute, 2))} pt`;
  return `${points} (${relative === null ? 'n/a' : `${signed(percent(relative, 0))} %`})`;
}

/** The report as a text table per version pair. */
export function shadowReportTable(report: ShadowReport, read: ShadowReadInfo): string {
  const { totals } = report;
  const since =
    read.since === undefined
      ? 'from the beginning'
      : `since ${read.since.toISOString()}${read.sinceDuration === undefined ? '' : ` (${read.sinceDuration} ago)`}`;
  const lines = [
    `shadow report: topic ${read.topic}, ${since}: ${count(totals.events)} events from ${read.partitions.length} partitions` +
      `, ${count(totals.comments)} comments (${count(totals.invalid)} invalid, ${count(totals.duplicates)} duplicates)`,
  ];
  if (report.pairs.length === 0) lines.push('', 'no shadow events to compare');
  for (const pair of report.pairs) lines.push('', ...pairTable(pair));
  return `${lines.join('\n')}\n`;
}

function pairTable(pair: ShadowPairReport): string[] {
  const model = (v: ModelVersions) => `${v.modelVersion} (thresholds ${v.thresholdsVersion})`;
  const header = [
    `primary ${model(pair.primary)} vs shadow ${model(pair.shadow)}: ${count(pair.comments)} comments` +
      `${pair.duplicates > 0 ? ` (+${count(pair.duplicates)} duplicates)` : ''}, ${pair.firstAt} to ${pair.lastAt}; ` +
      `${percent(pair.exactAgreement, 1)} % agree on every label`,
  ];
  const rows = pair.labels.map((l) => [
    l.label,
    count(l.n),
    percent(l.agreement, 1),
    percent(l.flaggedPrimary, 2),
    percent(l.flaggedShadow, 2),
    change(l.change, l.relativeChange),
    `${l.samples.primaryOnly.join(', ') || '-'} | ${l.samples.shadowOnly.join(', ') || '-'}`,
  ]);
  const titles = [
    'label',
    'n',
    'agree %',
    'primary %',
    'shadow %',
    'change',
    'sample ids: primary only | shadow only',
  ];
  const widths = titles.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === 0 || i === cells.length - 1 ? cell.padEnd(i === 0 ? widths[i]! : 0) : cell.padStart(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return [...header, line(titles), ...rows.map(line)];
}
