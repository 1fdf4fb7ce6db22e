/** Real MLflow servers for tests, through the same launcher the extension and demo use. */
import {
  startMlflowServer,
  type MlflowServer,
  type MlflowServerOptions,
} from '../../src/mlflow-server/launcher';
import { backendStoreOptions } from './backend';
import { pythonPath } from './env';

export const ADMIN = { username: 'admin', password: 'mtr-test-Passw0rd!' };

/** A server on the run's backend (test/support/backend.ts): SQLite unless told PostgreSQL. */
export function startServer(
  options: Omit<MlflowServerOptions, 'python'> = {},
): Promise<MlflowServer> {
  return startMlflowServer({
    python: pythonPath(),
    ...backendStoreOptions(options.basicAuth !== undefined),
    ...options,
  });
}
