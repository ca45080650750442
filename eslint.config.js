import { fileURLToPath, URL } from 'node:url';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Each client library is imported by the one package that wraps it; everything else uses that package. */
const sealedClients = {
  kafkajs: '@modstream/kafka-io',
  ioredis: '@modstream/label-cache',
  'onnxruntime-node': '@modstream/classifier',
};

/** A relative path into a package's or service's src (`../../classifier/src/x.js`, `../packages/x/src/y.js`). */
const intoAnotherSrc = {
  regex: '^(\\.\\./)+(packages/|services/)?[^/]+/src(/|$)',
  message: 'import a package by its name, not by a path into its src.',
};

/** no-restricted-imports: no path into another package's src, no sealed client but those the files own. */
function importBoundaries(...owned) {
  const clients = Object.entries(sealedClients)
    .filter(([client]) => !owned.includes(client))
    .map(([client, owner]) => ({
      group: [client, `${client}/*`],
      message: `only ${owner} imports ${client}: use what ${owner} exports.`,
    }));
  return ['error', { patterns: [intoAnotherSrc, ...clients] }];
}

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'training/**',
      'models/**',
      '.stack/**',
      '.venv/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: {
      // The files import-x follows for no-cycle are TypeScript, resolved as tsc resolves them.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: fileURLToPath(new URL('tsconfig.json', import.meta.url)),
          conditionNames: ['@modstream/source', 'types', 'import', 'node', 'default'],
        }),
      ],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only services/ read process.env.' },
      ],
      'no-restricted-imports': importBoundaries(),
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['services/**', 'test/**', 'bench/**', 'scripts/**', 'packages/testkit/**', 'eslint.config.js'],
    rules: { 'no-restricted-properties': 'off' },
  },
  { files: ['packages/kafka-io/**'], rules: { 'no-restricted-imports': importBoundaries('kafkajs') } },
  { files: ['packages/label-cache/**'], rules: { 'no-restricted-imports': importBoundaries('ioredis') } },
  {
    files: ['packages/classifier/**'],
    rules: { 'no-restricted-imports': importBoundaries('onnxruntime-node') },
  },
  {
    // The test stack's own Redis client: it seeds and inspects raw keys, which label-cache never exposes.
    files: ['packages/testkit/**'],
    rules: { 'no-restricted-imports': importBoundaries('ioredis') },
  },
  {
    // The raw ONNX Runtime floor the classifier is measured against, so it must not go through the classifier.
    files: ['bench/raw-limit-thread.ts'],
    rules: { 'no-restricted-imports': importBoundaries('onnxruntime-node') },
  },
);
