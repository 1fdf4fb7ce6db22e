/** Where the test runner (scripts/test.mjs) put things. */
import path from 'node:path';

export function oldServerPythonPath(): string {
  const python = process.env.MTR_OLD_SERVER_PYTHON;
  if (!python) throw new Error('MTR_OLD_SERVER_PYTHON is not set: run the tests with `npm test`.');
  return python;
}

export function pythonPath(): string {
  const python = process.env.MTR_PYTHON;
  if (!python) throw new Error('MTR_PYTHON is not set: run the tests with `npm test`.');
  return python;
}

export function repoRoot(): string {
  return process.env.MTR_ROOT ?? path.resolve(__dirname, '..', '..', '..');
}
