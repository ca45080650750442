import { z } from 'zod';

const SUPPORTED_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'] as const;

const fileEntry = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits') });

const insideBundle = (path: string): boolean =>
  path.length > 0 && !/^([\\/]|[A-Za-z]:)/.test(path) && !path.split(/[\\/]/).includes('..');

export const manifestSchema = z
  .object({
    format: z.literal('modstream-bundle/1'),
    model_id: z.string().min(1),
    model_version: z.string().min(1),
    thresholds_version: z.string().min(1),
    architecture: z.string().min(1),
    labels: z
      .array(z.string().min(1))
      .min(1)
      .refine((labels) => new Set(labels).size === labels.length, 'labels must be unique'),
    thresholds: z.record(z.string(), z.number().min(0).max(1)),
    max_length: z.number().int().min(3).max(8192),
    inputs: z
      .array(z.enum(SUPPORTED_INPUTS))
      .refine((inputs) => inputs.includes('input_ids') && inputs.includes('attention_mask'), {
        message: 'inputs must include input_ids and attention_mask',
      })
      .refine((inputs) => new Set(inputs).size === inputs.length, 'inputs must be unique'),
    output: z.string().min(1),
    pad_token_id: z.number().int().min(0),
    quantization: z.string().min(1),
    files: z
      .record(z.string(), fileEntry)
      .superRefine((files, ctx) => {
        for (const path of Object.keys(files).filter((path) => !insideBundle(path))) {
          ctx.addIssue({ code: 'custom', path: [path], message: 'must be a path inside the bundle' });
        }
      })
      .refine((files) => 'model.onnx' in files && 'tokenizer.json' in files, {
        message: 'files must list model.onnx and tokenizer.json',
      }),
    metrics: z.record(z.string(), z.unknown()).optional(),
  })
  .loose()
  .superRefine((manifest, ctx) => {
    const thresholdKeys = Object.keys(manifest.thresholds).sort();
    const labels = [...manifest.labels].sort();
    if (JSON.stringify(thresholdKeys) !== JSON.stringify(labels)) {
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds'],
        message: `thresholds must have exactly one entry per label (labels: ${labels.join(', ')}; thresholds: ${thresholdKeys.join(', ')})`,
      });
    }
  });

export type Manifest = z.infer<typeof manifestSchema>;
export type ModelInput = (typeof SUPPORTED_INPUTS)[number];

/** Every problem of an invalid manifest, one per line, as `path: message`. */
export function describeManifestIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`)
    .join('\n');
}
