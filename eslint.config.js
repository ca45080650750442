import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only services/ read process.env.' },
      ],
    },
  },
  {
    files: ['services/**', 'test/**', 'bench/**', 'scripts/**', 'packages/testkit/**', 'eslint.config.js'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
