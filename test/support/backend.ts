/**
 * Which backend store the test servers use: SQLite in each server's data folder (the default), or
 * PostgreSQL when the runner says so (`MTR_BACKEND=postgres`, with the cluster it started in
 * scripts/lib/postgres.mjs). On PostgreSQL every server gets new databases of its own, as it gets
 * a new SQLite file, so no test sees another's data.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export type Backend = 'sqlite' | 'postgres';

export function backend(): Backend {
  const name = process.env.MTR_BACKEND ?? 'sqlite';
  if (name === 'sqlite' || name === 'postgres') return name;
  throw new Error(`MTR_BACKEND=${name}: the backends are sqlite and postgres`);
}

export function onPostgres(): boolean {
  return backend() === 'postgres';
}

/** The launcher's store options for a new server: none on SQLite (the launcher's default). */
export function backendStoreOptions(withAuth: boolean): {
  backendStoreUri?: string;
  authDatabaseUri?: string;
} {
  if (!onPostgres()) return {};
  const name = `mtr_${randomBytes(6).toString('hex')}`;
  return {
    // A copy of the runner's database with MLflow's tables (scripts/lib/postgres.mjs), so the
    // server does not run every migration again; the users' database starts empty.
    backendStoreUri: createPostgresDatabase(name, process.env.MTR_POSTGRES_TEMPLATE),
    ...(withAuth ? { authDatabaseUri: createPostgresDatabase(`${name}_auth`) } : {}),
  };
}

/**
 * Makes a database in the runner's cluster, empty or a copy of `template`; returns its
 * SQLAlchemy URI (psycopg2, Unix socket).
 */
function createPostgresDatabase(name: string, template?: string): string {
  const bin = process.env.MTR_POSTGRES_BIN;
  const host = process.env.MTR_POSTGRES_HOST;
  const user = process.env.MTR_POSTGRES_USER;
  if (!bin || !host || !user)
    throw new Error(
      "MTR_BACKEND=postgres needs the runner's cluster: run `npm test -- integration`.",
    );
  const from = template ? ['-T', template] : [];
  execFileSync(path.join(bin, 'createdb'), ['-h', host, '-U', user, ...from, name], {
    stdio: 'pipe',
  });
  // The socket folder as libpq's `host`; left unencoded, since the basic-auth config that holds
  // the URI is read with interpolation (a "%" there would be taken for a reference).
  return `postgresql://${user}@/${name}?host=${host}`;
}
