// @ts-check
// Bundles each test file into out/ as CommonJS: test/unit, test/store, test/integration and test/e2e for
// `node --test`, test/vscode (with its Mocha entry index.ts) for the extension host, `vscode`
// left external.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const entryPoints = [
  'test/unit',
  'test/store',
  'test/integration',
  'test/e2e',
  'test/vscode',
].flatMap((dir) =>
  readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.test.ts') || (dir === 'test/vscode' && f === 'index.ts'))
    .map((f) => path.join(ROOT, dir, f)),
);
rmSync(path.join(ROOT, 'out', 'test'), { recursive: true, force: true });
await esbuild.build({
  entryPoints,
  outdir: path.join(ROOT, 'out'),
  outbase: ROOT,
  bundle: true,
  packages: 'external',
  external: ['vscode'],
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
});
