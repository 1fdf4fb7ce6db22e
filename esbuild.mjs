// Bundles: the extension's entry (dist/main.js, which loads the rest with V8's code cache), the
// extension (Node, CommonJS, `vscode` external), undici alone (dist/undici.js, which
// the extension and the client require on their first request), the webview, and for scripts,
// benchmarks and tests the shared MLflow client alone (dist/mlflow-client.js) and the server
// launcher (dist/mlflow-server.js). Flags: --production, --watch, --analyze (what each of the
// extension's and the webview's bundles holds, largest first).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const analyze = process.argv.includes('--analyze');

/** @type {esbuild.BuildOptions} */
const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
};

/**
 * `undici` as dist/undici.js beside the bundle: src/mlflow/http.ts imports it on its first
 * request, so activating the extension does not load half a megabyte it may not need yet. The
 * builds that use it turn `import()` into `require()` (`supported`): Node's own import() of a
 * minified CommonJS file would find none of its named exports.
 * @type {esbuild.Plugin}
 */
const undiciBeside = {
  name: 'undici-beside',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: './undici.js', external: true }));
  },
};

/**
 * `web-tree-sitter` as dist/tree-sitter.js beside the bundle, with its runtime and the Python
 * grammar's `.wasm` files copied there: src/code/python-parser.ts loads them when the first
 * Python file is looked at, so activation loads none of it.
 * @type {esbuild.Plugin}
 */
const treeSitterBeside = {
  name: 'tree-sitter-beside',
  setup(build) {
    build.onResolve({ filter: /^web-tree-sitter$/ }, () => ({
      path: './tree-sitter.js',
      external: true,
    }));
  },
};

/**
 * `vscode` required once, in one module that every file's `import * as vscode` reads. Left to
 * itself, esbuild wraps the external require in each of the ~40 files that import it
 * (`__toESM(require("vscode"))`), and each wrapper copies every property of VS Code's API object:
 * a CPU profile of activation put about 14 ms in those copies.
 * @type {esbuild.Plugin}
 */
const vscodeOnce = {
  name: 'vscode-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) =>
      args.namespace === 'vscode-once'
        ? { path: 'vscode', external: true }
        : { path: 'vscode', namespace: 'vscode-once' },
    );
    build.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({
      contents: "export * from 'vscode';",
      loader: 'js',
    }));
  },
};

mkdirSync('dist', { recursive: true });
copyFileSync('node_modules/web-tree-sitter/tree-sitter.wasm', 'dist/tree-sitter.wasm');
copyFileSync(
  'node_modules/tree-sitter-python/tree-sitter-python.wasm',
  'dist/tree-sitter-python.wasm',
);

/** @type {esbuild.BuildOptions[]} */
const builds = [
  // What VS Code loads: it loads dist/extension.js with V8's code cache (src/main.ts).
  { ...node, entryPoints: ['src/main.ts'], outfile: 'dist/main.js' },
  {
    ...node,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    plugins: [vscodeOnce, undiciBeside, treeSitterBeside],
    supported: { 'dynamic-import': false },
    metafile: analyze,
  },
  // undici alone, CommonJS: what `require('./undici.js')` in the bundles above and below gets.
  {
    ...node,
    stdin: { contents: "module.exports = require('undici');", resolveDir: '.', loader: 'js' },
    outfile: 'dist/undici.js',
  },
  // web-tree-sitter alone, CommonJS: what `require('./tree-sitter.js')` in the extension gets.
  {
    ...node,
    stdin: {
      contents: "module.exports = require('web-tree-sitter');",
      resolveDir: '.',
      loader: 'js',
    },
    outfile: 'dist/tree-sitter.js',
  },
  {
    ...node,
    entryPoints: ['src/mlflow/index.ts'],
    outfile: 'dist/mlflow-client.js',
    plugins: [undiciBeside],
    supported: { 'dynamic-import': false },
  },
  // The webview: browser code, one file, loaded under the panels' CSP.
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    logLevel: 'info',
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    metafile: analyze,
  },
  // The server launcher alone, for `npm run mlflow:server`, the demo and the benchmarks.
  { ...node, entryPoints: ['src/mlflow-server/launcher.ts'], outfile: 'dist/mlflow-server.js' },
];

if (watch) {
  // Every bundle is built once before watching, and one line says so: the F5 task
  // (.vscode/tasks.json) waits for that line, not for whichever bundle finishes first.
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.rebuild()));
  console.log('[watch] all bundles built');
  for (const context of contexts) await context.watch();
} else {
  const results = await Promise.all(builds.map((options) => esbuild.build(options)));
  if (analyze) {
    for (const { metafile } of results) {
      if (!metafile) continue;
      // The bundle's line and its 15 largest inputs: enough to see what to make smaller.
      const lines = (await esbuild.analyzeMetafile(metafile)).split('\n').filter(Boolean);
      const more = lines.length - 16;
      console.log(
        [...lines.slice(0, 16), ...(more > 0 ? [`   … ${more} smaller inputs`] : []), ''].join(
          '\n',
        ),
      );
    }
  }
}
