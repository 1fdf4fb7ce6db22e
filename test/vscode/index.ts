/**
 * Mocha inside the extension host: loaded through `extensionTestsPath`. MTR_SUITE picks the
 * suites: "untrusted" runs only *.untrusted.test.js (in a workspace that is not trusted),
 * "reload" only *.reload.test.js (it reloads the window), "bench" only *.bench.test.js (the
 * benchmarks' figures, for `npm run bench`), the default all the others. MTR_VSCODE_TEST_FILE
 * (comma-separated built names, 5-panels.test.js) narrows a suite to those files, for
 * `npm test -- test/vscode/5-panels.test.ts`. The counts also go to
 * MTR_BRIDGE_DIR/results-<suite>.json for the runner, which adds up the runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const suite = process.env.MTR_SUITE ?? 'main';
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000 });
  // For working on one suite: MTR_GREP="the forms" node scripts/vscode-tests.mjs
  if (process.env.MTR_GREP) mocha.grep(process.env.MTR_GREP);
  const only = process.env.MTR_VSCODE_TEST_FILE?.split(',');
  for (const file of fs.readdirSync(__dirname).sort()) {
    const special = /\.(untrusted|reload|bench)\.test\.js$/.exec(file)?.[1] ?? 'main';
    if (file.endsWith('.test.js') && special === suite && (!only || only.includes(file))) {
      mocha.addFile(path.join(__dirname, file));
    }
  }
  return new Promise((resolve, reject) => {
    const runner = mocha.run(() => {
      // Counted from what ran (a grep runs fewer); a pending test proves nothing: it fails.
      const passed = runner.stats?.passes ?? 0;
      const failures = (runner.stats?.failures ?? 0) + (runner.stats?.pending ?? 0);
      console.log(`${passed} passed, ${failures} failed`);
      const dir = process.env.MTR_BRIDGE_DIR;
      if (dir) {
        fs.writeFileSync(
          path.join(dir, `results-${suite}.json`),
          JSON.stringify({ passed, failed: failures }),
        );
      }
      if (failures > 0) reject(new Error(`${failures} tests failed`));
      else resolve();
    });
  });
}
