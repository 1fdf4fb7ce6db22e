/**
 * Mocha inside the extension host: loaded through `extensionTestsPath`. MTR_SUITE picks the
 * suites: "untrusted" runs only *.untrusted.test.js (in a workspace that is not trusted), the
 * default runs the others. The counts also go to MTR_BRIDGE_DIR/results-<suite>.json for the
 * runner, which adds up the runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const suite = process.env.MTR_SUITE ?? 'main';
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000 });
  for (const file of fs.readdirSync(__dirname).sort()) {
    const untrusted = file.endsWith('.untrusted.test.js');
    if (file.endsWith('.test.js') && untrusted === (suite === 'untrusted')) {
      mocha.addFile(path.join(__dirname, file));
    }
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      const total = mocha.suite.total();
      console.log(`${total - failures} passed, ${failures} failed`);
      const dir = process.env.MTR_BRIDGE_DIR;
      if (dir) {
        fs.writeFileSync(
          path.join(dir, `results-${suite}.json`),
          JSON.stringify({ passed: total - failures, failed: failures }),
        );
      }
      if (failures > 0) reject(new Error(`${failures} tests failed`));
      else resolve();
    });
  });
}
