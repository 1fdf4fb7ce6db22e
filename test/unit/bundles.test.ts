/**
 * What the bundles hold (esbuild.mjs, issue 17): undici is its own dist/undici.js, required by
 * the extension and the client only with their first request and shipped beside them; zod is
 * zod/mini; web-tree-sitter is dist/tree-sitter.js, required with the first Python file. Runs
 * against dist/ as `npm test` builds it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import type * as Client from '../../src/mlflow';
import { repoRoot } from '../support/env';

const dist = (file: string) => path.join(repoRoot(), 'dist', file);

describe('the bundles', () => {
  it('leave undici and classic zod out of the extension', () => {
    const extension = readFileSync(dist('extension.js'), 'utf8');
    assert.match(extension, /require\("\.\/undici\.js"\)/);
    assert.doesNotMatch(extension, /class RequestAbortedError\b/, 'undici is bundled in');
    assert.doesNotMatch(extension, /"ZodString"/, 'classic zod is bundled in');
    assert.doesNotMatch(readFileSync(dist('webview.js'), 'utf8'), /"ZodString"/);
    const ignore = readFileSync(path.join(repoRoot(), '.vscodeignore'), 'utf8');
    assert.match(ignore, /^!dist\/undici\.js$/m, 'dist/undici.js is not packaged');
  });

  it('leave the Python parser out of the extension, beside it with its WebAssembly', () => {
    const extension = readFileSync(dist('extension.js'), 'utf8');
    assert.match(extension, /require\("\.\/tree-sitter\.js"\)/);
    assert.doesNotMatch(
      extension,
      /Incompatible language version/,
      'web-tree-sitter is bundled in',
    );
    assert.match(readFileSync(dist('tree-sitter.js'), 'utf8'), /Incompatible language version/);
    const ignore = readFileSync(path.join(repoRoot(), '.vscodeignore'), 'utf8');
    for (const file of ['tree-sitter.js', 'tree-sitter.wasm', 'tree-sitter-python.wasm']) {
      assert.ok(readFileSync(dist(file)).length > 0, file);
      assert.match(ignore, new RegExp(`^!dist/${file.replace(/\./g, '\\.')}$`, 'm'), file);
    }
  });

  it("start from a small entry that loads the extension's bundle, both packaged", () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as {
      main: string;
    };
    assert.equal(manifest.main, './dist/main.js');
    const entry = readFileSync(dist('main.js'), 'utf8');
    assert.match(entry, /"extension\.js"/, 'it names the bundle it loads');
    // The compile it saves is the bundle's: the entry holds none of it (no zod, no panels).
    assert.doesNotMatch(entry, /ZodMini|acquireVsCodeApi|createTreeView/);
    assert.ok(entry.length < 20_000, `dist/main.js is ${entry.length} bytes`);
    const ignore = readFileSync(path.join(repoRoot(), '.vscodeignore'), 'utf8');
    for (const file of ['main.js', 'extension.js'])
      assert.match(ignore, new RegExp(`^!dist/${file.replace(/\./g, '\\.')}$`, 'm'), file);
  });

  it('load undici with the first request, not with the client', async () => {
    const load = createRequire(__filename);
    const undici = dist('undici.js');
    const loaded = () => load.cache[undici] !== undefined;
    const { MlflowClient, MlflowNetworkError } = load(dist('mlflow-client.js')) as typeof Client;
    const client = new MlflowClient({ baseUrl: 'http://127.0.0.1:1', retry: { maxRetries: 0 } });
    assert.equal(loaded(), false, 'undici was loaded before any request');
    await assert.rejects(
      client.getServerVersion(),
      (error) => error instanceof MlflowNetworkError && error.failure === 'refused',
    );
    assert.equal(loaded(), true);
    await client.close();
  });
});
