import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BundleError } from './errors.js';
import { describeManifestIssues, manifestSchema, type Manifest, type ModelInput } from './manifest.js';
import type { TruncationConfig } from './tokenizer.js';
import type { BundleInfo } from './types.js';

/** A model bundle on disk whose manifest is valid and whose files match their sha256. */
export interface Bundle {
  dir: string;
  manifest: Manifest;
  info: BundleInfo;
  modelPath: string;
  tokenizerJson: object;
  truncation: TruncationConfig;
  inputs: ModelInput[];
}

export interface LoadBundleOptions {
  /** Check the sha256 of every file the manifest lists (default true). */
  verify?: boolean;
}

export async function loadBundle(dir: string, options: LoadBundleOptions = {}): Promise<Bundle> {
  const bundleDir = resolve(dir);
  const manifest = await readManifest(bundleDir);
  if (options.verify ?? true) {
    for (const [file, { sha256 }] of Object.entries(manifest.files)) {
      await verifyFile(bundleDir, file, sha256);
    }
  }
  const tokenizerJson = await readTokenizerJson(join(bundleDir, 'tokenizer.json'));
  return {
    dir: bundleDir,
    manifest,
    info: {
      modelId: manifest.model_id,
      modelVersion: manifest.model_version,
      thresholdsVersion: manifest.thresholds_version,
      labels: [...manifest.labels],
      thresholds: { ...manifest.thresholds },
      maxLength: manifest.max_length,
    },
    modelPath: join(bundleDir, 'model.onnx'),
    tokenizerJson,
    truncation: truncationOf(tokenizerJson, manifest.max_length),
    inputs: [...manifest.inputs],
  };
}

async function readManifest(bundleDir: string): Promise<Manifest> {
  const path = join(bundleDir, 'manifest.json');
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (cause) {
    throw new BundleError('manifest_missing', `model bundle ${bundleDir}: cannot read manifest.json`, {
      file: 'manifest.json',
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (cause) {
    throw new BundleError('manifest_invalid', `model bundle ${bundleDir}: manifest.json is not valid JSON`, {
      file: 'manifest.json',
      cause,
    });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new BundleError(
      'manifest_invalid',
      `model bundle ${bundleDir}: invalid manifest.json:\n${describeManifestIssues(parsed.error)}`,
      { file: 'manifest.json', cause: parsed.error },
    );
  }
  return parsed.data;
}

async function verifyFile(bundleDir: string, file: string, expected: string): Promise<void> {
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(join(bundleDir, file)), hash);
  } catch (cause) {
    throw new BundleError(
      'file_missing',
      `model bundle ${bundleDir}: cannot read ${file} listed in manifest.json`,
      {
        file,
        cause,
      },
    );
  }
  const actual = hash.digest('hex');
  if (actual !== expected) {
    throw new BundleError(
      'checksum_mismatch',
      `model bundle ${bundleDir}: sha256 of ${file} is ${actual}, manifest.json says ${expected}`,
      { file },
    );
  }
}

async function readTokenizerJson(path: string): Promise<object> {
  try {
    const json: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof json !== 'object' || json === null || !('model' in json)) {
      throw new Error('not a tokenizer.json (no "model")');
    }
    return json;
  } catch (cause) {
    throw new BundleError('tokenizer_invalid', `cannot load tokenizer.json: ${(cause as Error).message}`, {
      file: 'tokenizer.json',
      cause,
    });
  }
}

/** The manifest's max_length, checked against the truncation tokenizer.json itself configures (if any). */
function truncationOf(tokenizerJson: object, maxLength: number): TruncationConfig {
  const truncation = (tokenizerJson as { truncation?: { max_length?: unknown; direction?: unknown } | null })
    .truncation;
  if (truncation !== undefined && truncation !== null && truncation.max_length !== maxLength) {
    throw new BundleError(
      'tokenizer_invalid',
      `tokenizer.json truncates to ${String(truncation.max_length)} tokens but manifest.json max_length is ${maxLength}`,
      { file: 'tokenizer.json' },
    );
  }
  return { maxLength, direction: truncation?.direction === 'Left' ? 'left' : 'right' };
}
