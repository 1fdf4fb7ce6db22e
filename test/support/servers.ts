/** Real MLflow servers for tests, through the same launcher the extension and demo use. */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DATA_DIR_PREFIX,
  startMlflowServer,
  type MlflowServer,
  type MlflowServerOptions,
} from '../../src/mlflow-server/launcher';
import { backendStoreOptions, onPostgres } from './backend';
import { pythonPath } from './env';

export const ADMIN = { username: 'admin', password: 'mtr-test-Passw0rd!' };

/** A server on the run's backend (test/support/backend.ts): SQLite unless told PostgreSQL. */
export async function startServer(
  options: Omit<MlflowServerOptions, 'python'> = {},
): Promise<MlflowServer> {
  const template = process.env.MTR_SQLITE_TEMPLATE;
  if (onPostgres() || !template || options.dataDir !== undefined || options.backendStoreUri)
    return startMlflowServer({
      python: pythonPath(),
      ...backendStoreOptions(options.basicAuth !== undefined),
      ...options,
    });
  // On SQLite, a data folder with a copy of the runner's database that has MLflow's tables
  // (scripts/lib/sqlite-template.mjs), so the server does not run every migration again. The
  // folder is ours, not the launcher's: stop() removes it as the launcher would its own.
  const dataDir = mkdtempSync(path.join(tmpdir(), DATA_DIR_PREFIX));
  copyFileSync(template, path.join(dataDir, 'mlflow.db'));
  const server = await startMlflowServer({ python: pythonPath(), ...options, dataDir });
  return {
    ...server,
    stop: async (stopOptions = {}) => {
      await server.stop(stopOptions);
      if (!stopOptions.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
