import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { jsonSchemaDocuments } from './json-schemas.js';

const schemasDir = fileURLToPath(new URL('../schemas/', import.meta.url));

it('committed JSON Schema files equal the generated ones (run gen:schemas)', async () => {
  const generated = jsonSchemaDocuments();
  const committed = (await readdir(schemasDir)).filter((name) => name.endsWith('.schema.json')).sort();
  assert.deepEqual(committed, Object.keys(generated).sort());
  for (const name of committed) {
    const onDisk: unknown = JSON.parse(await readFile(`${schemasDir}${name}`, 'utf8'));
    assert.deepEqual(onDisk, generated[name], `${name} is stale`);
  }
});
