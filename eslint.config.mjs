// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// zod comes through src/mlflow/zod.ts only: zod/mini with its English messages set. Classic zod
// (`zod`) would add 400 KB to each bundle, and zod/mini imported elsewhere could check with no
// messages set.
const ZOD = [
  { name: 'zod', message: 'Import * as z from src/mlflow/zod (zod/mini, its messages set).' },
  { name: 'zod/mini', message: 'Import * as z from src/mlflow/zod (zod/mini, its messages set).' },
];
const VSCODE = { name: 'vscode', message: 'This module runs outside VS Code too.' };

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', 'out/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // VS Code's Disposable is structural: EventEmitters and others are disposables too.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // `() => resolve()` style callbacks are idiomatic and clear.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      'no-restricted-imports': ['error', { paths: ZOD }],
    },
  },
  {
    // These run outside VS Code too: the client and launcher as plain Node modules, the store and
    // the tree's logic in the fast test tier (test/store/), shared/ in the webview bundle.
    files: [
      'src/mlflow/**/*.ts',
      'src/mlflow-server/**/*.ts',
      'src/store/**/*.ts',
      'src/tree/nodes.ts',
      'src/tree/tree-model.ts',
      'src/tree/tooltips.ts',
      'src/shared/**/*.ts',
      'src/util/**/*.ts',
      'src/ui/ids.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { paths: [VSCODE, ...ZOD] }],
    },
  },
  {
    files: ['src/mlflow/zod.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [VSCODE] }] },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        ['process', 'console', 'URL', 'URLSearchParams', 'fetch', 'setTimeout', 'clearTimeout'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
  },
);
