// @ts-check
// The real servers the network tests put between the client and MLflow: Debian's `nginx` (a TLS
// reverse proxy, with client certificates) and `tinyproxy` (a forward proxy), and `openssl` to
// make their certificates. Installed with apt-get when missing, like postgresql
// (scripts/lib/postgres.mjs); the tests start and stop their own instances
// (test/support/network-servers.ts) on free loopback ports, in folders the sweep knows.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { aptInstall } from './apt.mjs';

/** Temporary folders of the tests' nginx and tinyproxy start with this (scripts/lib/sweep.mjs). */
export const NETWORK_DIR_PREFIX = 'mtr-net-';

const TOOLS = /** @type {const} */ ({
  nginx: { package: 'nginx', dirs: ['/usr/sbin', '/usr/bin'] },
  tinyproxy: { package: 'tinyproxy', dirs: ['/usr/bin', '/usr/sbin'] },
  openssl: { package: 'openssl', dirs: ['/usr/bin'] },
});

/** nginx's stream module (Debian's libnginx-mod-stream): TLS in front of tinyproxy, an https proxy. */
const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

/**
 * The paths of nginx, tinyproxy, openssl and nginx's stream module, installing the Debian
 * packages that are missing.
 * @param {{ log?: (message: string) => void }} options
 * @returns {{ nginx: string, tinyproxy: string, openssl: string, nginxStreamModule: string }}
 */
export function ensureNetworkTools({ log = console.log } = {}) {
  const names = /** @type {(keyof typeof TOOLS)[]} */ (Object.keys(TOOLS));
  const missing = names.filter((name) => !find(name));
  /** @type {string[]} */
  const packages = missing.map((name) => TOOLS[name].package);
  if (!existsSync(STREAM_MODULE)) packages.push('libnginx-mod-stream');
  if (packages.length > 0) {
    log(`Installing Debian packages: ${packages.join(', ')}`);
    // A package's own service is not started (invoke-rc.d asks policy-rc.d, which says no in
    // containers; elsewhere the service runs on its default port, which the tests never use).
    aptInstall(packages);
  }
  /** @param {keyof typeof TOOLS} name */
  const located = (name) => {
    const found = find(name);
    if (!found) throw new Error(`${TOOLS[name].package} is installed but ${name} is not found`);
    return found;
  };
  if (!existsSync(STREAM_MODULE))
    throw new Error(`libnginx-mod-stream is installed but ${STREAM_MODULE} is not found`);
  return {
    nginx: located('nginx'),
    tinyproxy: located('tinyproxy'),
    openssl: located('openssl'),
    nginxStreamModule: STREAM_MODULE,
  };
}

/** @param {keyof typeof TOOLS} name */
function find(name) {
  const dirs = [...TOOLS[name].dirs, ...(process.env.PATH ?? '').split(path.delimiter)];
  return dirs
    .filter((dir) => path.isAbsolute(dir))
    .map((dir) => path.join(dir, name))
    .find((file) => existsSync(file));
}
