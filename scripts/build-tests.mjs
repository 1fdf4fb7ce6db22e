// @ts-check
// Bundles each test file (test/unit, test/integration) into out/ as CommonJS for `node --test`.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const entryPoints = ['test/unit', 'test/integration'].flatMap((dir) =>
  readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join(ROOT, dir, f)),
);
rmSync(path.join(ROOT, 'out', 'test'), { recursive: true, force: true });
await esbuild.build({
  entryPoints,
  outdir: path.join(ROOT, 'out'),
  outbase: ROOT,
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
});
