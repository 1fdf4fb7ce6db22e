/** A fresh workspace as a Python project has it: the sample app and its own `.venv`. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pythonPath, repoRoot } from '../../support/env';

/** Makes the folder (named with `prefix`); the caller removes it with `remove`. */
export function sampleWorkspace(prefix: string): { folder: string; remove: () => void } {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.copyFileSync(
    path.join(repoRoot(), 'python', 'sample_app.py'),
    path.join(folder, 'sample_app.py'),
  );
  // The workspace's own virtual environment: the tests' environment, which has mlflow.
  fs.symlinkSync(path.dirname(path.dirname(pythonPath())), path.join(folder, '.venv'));
  return { folder, remove: () => fs.rmSync(folder, { recursive: true, force: true }) };
}
