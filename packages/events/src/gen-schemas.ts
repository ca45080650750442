import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { jsonSchemaDocuments } from './json-schemas.js';

const schemasDir = fileURLToPath(new URL('../schemas/', import.meta.url));
await mkdir(schemasDir, { recursive: true });
for (const [fileName, document] of Object.entries(jsonSchemaDocuments())) {
  await writeFile(`${schemasDir}${fileName}`, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`wrote schemas/${fileName}`);
}
