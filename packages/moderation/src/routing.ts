import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const ruleSchema = z.strictObject({
  name: z.string().min(1),
  /** Topic of the moderator queue. */
  queue: z.string().min(1),
  /** Labels the rule looks at; all labels when absent. */
  labels: z.array(z.string().min(1)).min(1).optional(),
  /** A label matches when its score is at least this; when absent, when it passed its own threshold. */
  min_score: z.number().min(0).max(1).optional(),
});

const policySchema = z.strictObject({
  /** "first": a comment goes to the first matching rule's queue; "all": to every matching rule's queue. */
  match: z.enum(['first', 'all']).default('first'),
  rules: z.array(ruleSchema),
});

export type RoutingPolicy = z.output<typeof policySchema>;
export type RoutingRule = z.output<typeof ruleSchema>;

export interface Route {
  queue: string;
  rule: string;
  /** 0..100, the highest score among the labels that matched, in percent. */
  priority: number;
}

export const DEFAULT_ROUTING_POLICY_FILE = fileURLToPath(
  new URL('../routing-policy.default.json', import.meta.url),
);

export class RoutingPolicyError extends Error {
  readonly kind = 'routing-policy';
  constructor(file: string, problems: string[]) {
    super(`invalid routing policy ${file}:\n  ${problems.join('\n  ')}`);
    this.name = 'RoutingPolicyError';
  }
}

/** Reads and validates a policy; labels must be labels of the loaded model. */
export async function loadRoutingPolicy(
  file: string = DEFAULT_ROUTING_POLICY_FILE,
  modelLabels: readonly string[],
): Promise<RoutingPolicy> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new RoutingPolicyError(file, [(error as Error).message]);
  }
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) {
    throw new RoutingPolicyError(
      file,
      parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`),
    );
  }
  const known = new Set(modelLabels);
  const unknown = parsed.data.rules.flatMap((rule) =>
    (rule.labels ?? [])
      .filter((label) => !known.has(label))
      .map((label) => `rule ${rule.name}: unknown label ${label}`),
  );
  if (unknown.length > 0) throw new RoutingPolicyError(file, unknown);
  return parsed.data;
}

export function routingQueues(policy: RoutingPolicy): string[] {
  return [...new Set(policy.rules.map((rule) => rule.queue))];
}

/** The moderator queues a classified comment goes to, by the policy. */
export function route(
  policy: RoutingPolicy,
  labels: readonly string[],
  scores: Record<string, number>,
): Route[] {
  const routes: Route[] = [];
  for (const rule of policy.rules) {
    const candidates = rule.labels ?? Object.keys(scores);
    const matched = candidates.filter((label) => {
      const score = scores[label];
      if (score === undefined) return false;
      return rule.min_score === undefined ? labels.includes(label) : score >= rule.min_score;
    });
    if (matched.length === 0) continue;
    const maxScore = Math.max(...matched.map((label) => scores[label] ?? 0));
    routes.push({ queue: rule.queue, rule: rule.name, priority: Math.round(maxScore * 100) });
    if (policy.match === 'first') break;
  }
  return routes;
}
