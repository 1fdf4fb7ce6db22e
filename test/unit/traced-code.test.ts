/**
 * Traced-code detection (src/code/) with the real parser: web-tree-sitter and tree-sitter-python's
 * WebAssembly from node_modules, over the Python files in test/fixtures/python-corpus/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PythonParser } from '../../src/code/python-parser';
import type { TracedCode } from '../../src/code/traced-code';
import { repoRoot } from '../support/env';

const parser = new PythonParser({
  runtime: path.join(repoRoot(), 'node_modules/web-tree-sitter/tree-sitter.wasm'),
  python: path.join(repoRoot(), 'node_modules/tree-sitter-python/tree-sitter-python.wasm'),
});

const corpus = (file: string) =>
  readFileSync(path.join(repoRoot(), 'test/fixtures/python-corpus', file), 'utf8');

/** kind, span name, function, lens line (1-based, as an editor shows it). */
const summary = (found: TracedCode[]) =>
  found.map((t) => `${t.kind} ${t.spanName} in ${t.functionName ?? '-'} @${t.line + 1}`);

describe('traced Python code', () => {
  it('finds decorators with and without arguments, methods, async and nested functions', async () => {
    assert.deepEqual(summary(await parser.tracedCode(corpus('agent.py'))), [
      'function plan in plan @8',
      'function retrieve_docs in retrieve @13',
      'span rank in retrieve @15',
      'function call_tool in call_tool @20',
      'function answer in answer @30',
      'function inner_step in step @32',
      'function model in model @38',
    ]);
  });

  it('follows the names mlflow, trace and start_span are imported as', async () => {
    assert.deepEqual(summary(await parser.tracedCode(corpus('aliases.py'))), [
      'function bare in bare @6',
      'function named bare in bare_named @11',
      'function aliased in aliased @16',
      'function via module alias in module_alias @21',
      'span positional name in module_alias @23',
      'span from import in module_alias @25',
      'span span in module_alias @27',
      'span async block in streams @32',
    ]);
  });

  it('links only names written as plain strings, and only mlflow’s trace', async () => {
    assert.deepEqual(summary(await parser.tracedCode(corpus('dynamic.py'))), [
      'function escaped "quote" in escaped @16',
    ]);
  });

  it('still finds the traced code around a syntax error', async () => {
    assert.deepEqual(summary(await parser.tracedCode(corpus('broken.py'))), [
      'function before_error in before_error @4',
      'function after_error in after_error @13',
      'span still found in after_error @15',
    ]);
  });

  it('finds nothing in a file that does not import mlflow', async () => {
    assert.deepEqual(await parser.tracedCode(corpus('no_mlflow.py')), []);
  });

  it('gives the def line and column of a function, where Go to Source lands', async () => {
    const [plan] = await parser.tracedCode(corpus('agent.py'));
    assert.deepEqual([plan?.nameLine, plan?.nameColumn, plan?.endLine], [8, 4, 9]);
  });

  it('parses a file of 20 traced functions', async () => {
    const source = [
      'import mlflow',
      ...Array.from({ length: 20 }, (_, i) => `@mlflow.trace\ndef step_${i}():\n    return ${i}\n`),
    ].join('\n');
    assert.equal((await parser.tracedCode(source)).length, 20);
  });
});
