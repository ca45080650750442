import type { DecisionEvent } from '@modstream/events';

export interface PrecisionRow {
  label: string;
  modelVersion: string;
  thresholdsVersion: string;
  /** Decided comments the model had flagged with this label. */
  flagged: number;
  /** Of those, the comments where the moderator kept the label. */
  confirmed: number;
  /** confirmed / flagged. */
  precision: number;
}

/** Whether the moderator kept a label the model flagged: remove keeps them all, approve none, relabel the ticked. */
export function keptLabel(decision: DecisionEvent, label: string): boolean {
  switch (decision.decision) {
    case 'remove':
      return true;
    case 'approve':
      return false;
    case 'relabel':
      return decision.labels.includes(label);
  }
}

/**
 * Precision of every flagged label per model and thresholds version, from first decisions only (the caller
 * passes each comment's first decision once: ReviewBoard does).
 */
export class PrecisionTracker {
  readonly #counts = new Map<string, PrecisionRow>();

  add(decision: DecisionEvent): void {
    for (const label of new Set(decision.flagged_labels)) {
      const key = JSON.stringify([decision.model_version, decision.thresholds_version, label]);
      let row = this.#counts.get(key);
      if (row === undefined) {
        row = {
          label,
          modelVersion: decision.model_version,
          thresholdsVersion: decision.thresholds_version,
          flagged: 0,
          confirmed: 0,
          precision: 0,
        };
        this.#counts.set(key, row);
      }
      row.flagged++;
      if (keptLabel(decision, label)) row.confirmed++;
    }
  }

  /** One row per label × model version × thresholds version seen, sorted by those three. */
  precision(): PrecisionRow[] {
    return [...this.#counts.values()]
      .map((row) => ({ ...row, precision: row.confirmed / row.flagged }))
      .sort(
        (a, b) =>
          a.modelVersion.localeCompare(b.modelVersion) ||
          a.thresholdsVersion.localeCompare(b.thresholdsVersion) ||
          a.label.localeCompare(b.label),
      );
  }
}
