// @ts-check
// A test fixture extension (a folder under test/vscode/fixtures/) packaged as a .vsix, to install
// beside ours: code-server loads one development folder only, so a second extension must be
// installed (the shim's MTR_INSTALL_VSIX).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * Packages test/vscode/fixtures/<name> into <outDir>/<name>.vsix, unless it is there already.
 * @param {string} name @param {string} outDir @returns {string} the .vsix
 */
export function fixtureVsix(name, outDir) {
  const vsix = path.join(outDir, `${name}.vsix`);
  if (fs.existsSync(vsix)) return vsix;
  // vsce packages in place: a copy keeps the .vsix out of the source folder.
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), `mtr-${name}-`));
  try {
    fs.cpSync(path.join(ROOT, 'test', 'vscode', 'fixtures', name), folder, { recursive: true });
    execFileSync(
      path.join(ROOT, 'node_modules', '.bin', 'vsce'),
      ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license'],
      { cwd: folder, stdio: 'ignore' },
    );
    const [made] = fs.readdirSync(folder).filter((f) => f.endsWith('.vsix'));
    fs.mkdirSync(outDir, { recursive: true });
    fs.copyFileSync(path.join(folder, made ?? 'missing.vsix'), vsix);
    return vsix;
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
