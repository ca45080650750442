import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * A candidate bundle for shadow and rollout tests: the weights and tokenizer of `sourceDir` (linked, not
 * copied) with every threshold moved by `shift` and a new thresholds version, i.e. a real bundle whose
 * labels differ from the source's wherever a score lies between the old and new threshold. Its model version
 * is new too, unless `thresholdsOnly` (a thresholds-only release of the same model).
 */
export async function writeThresholdsVariant(
  sourceDir: string,
  shift: number,
  { thresholdsOnly = false }: { thresholdsOnly?: boolean } = {},
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'modstream-candidate-'));
  const manifest = JSON.parse(await readFile(join(sourceDir, 'manifest.json'), 'utf8')) as {
    model_version: string;
    thresholds_version: string;
    thresholds: Record<string, number>;
    files: Record<string, unknown>;
  };
  for (const file of Object.keys(manifest.files)) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await symlink(resolve(sourceDir, file), join(dir, file));
  }
  if (!thresholdsOnly) manifest.model_version = `${manifest.model_version}+candidate`;
  manifest.thresholds_version = `${manifest.thresholds_version}${shift < 0 ? '' : '+'}${shift}`;
  for (const label of Object.keys(manifest.thresholds))
    manifest.thresholds[label] = Math.min(1, Math.max(0, manifest.thresholds[label]! + shift));
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

/** A bundle directory that cannot be loaded (its manifest is not valid), for failure tests. */
export async function writeBrokenBundle(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'modstream-broken-bundle-'));
  await writeFile(join(dir, 'manifest.json'), '{"format": "modstream-bundle/1"');
  return dir;
}
