/**
 * The real network between a client and MLflow, for tests: certificates made fresh with `openssl`
 * (a private CA, a good server certificate, an expired one, one for another host, a self-signed
 * one, client certificates), Debian's `nginx` as a TLS reverse proxy and Debian's `tinyproxy` as
 * a forward proxy, each on free loopback ports in a temporary folder, stopped by the tests. The
 * runner installs the packages (scripts/lib/network-tools.mjs) and names them in MTR_NGINX,
 * MTR_TINYPROXY and MTR_OPENSSL; a process left running is found by its folder's name
 * (NETWORK_DIR_PREFIX, scripts/lib/sweep.mjs).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeLoopbackPort } from '../../src/mlflow-server/launcher';

/** As scripts/lib/network-tools.mjs: the sweep looks for processes working in such folders. */
export const NETWORK_DIR_PREFIX = 'mtr-net-';

/**
 * A new temporary folder named after the test run (MTR_TEST_RUN, scripts/lib/sweep.mjs): nginx
 * overwrites its environment with its process titles, so the sweep knows a run's nginx and
 * tinyproxy by their folder's name rather than by their environment.
 */
function networkDir(kind: string): string {
  const run = (process.env.MTR_TEST_RUN ?? 'manual').replace(/[^\w-]/g, '');
  return mkdtempSync(path.join(tmpdir(), `${NETWORK_DIR_PREFIX}${run}-${kind}-`));
}

export interface NetworkTools {
  nginx: string;
  tinyproxy: string;
  openssl: string;
  /** nginx's stream module (Debian's libnginx-mod-stream). */
  nginxStreamModule: string;
}

/** TLS in front of a plain TCP service (nginx's stream module): tinyproxy as an https proxy. */
export interface NginxTlsStream {
  name: string;
  tls: KeyPair;
  /** `host:port` of the plain service. */
  upstream: string;
}

export function networkTools(): NetworkTools {
  const nginx = process.env.MTR_NGINX;
  const tinyproxy = process.env.MTR_TINYPROXY;
  const openssl = process.env.MTR_OPENSSL;
  const nginxStreamModule = process.env.MTR_NGINX_STREAM_MODULE;
  if (!nginx || !tinyproxy || !openssl || !nginxStreamModule)
    throw new Error(
      'MTR_NGINX, MTR_TINYPROXY, MTR_OPENSSL and MTR_NGINX_STREAM_MODULE are not set: run the tests with `npm test`.',
    );
  return { nginx, tinyproxy, openssl, nginxStreamModule };
}

export interface KeyPair {
  cert: string;
  key: string;
}

/** Files in a temporary folder; `remove()` deletes them. */
export interface TestPki {
  dir: string;
  /** The private CA's certificate: what `caFile` points at. */
  caFile: string;
  /** Signed by the CA, for `hostNames`, 127.0.0.1 and ::1. */
  server: KeyPair;
  /** Signed by the CA, valid from 2020-01-01 to 2020-01-02. */
  expired: KeyPair;
  /** Signed by the CA, for wrong-host.example only. */
  wrongHost: KeyPair;
  /** Signed by itself (no CA), for the right names. */
  selfSigned: KeyPair;
  /** A client certificate signed by the CA; its key unencrypted. */
  client: KeyPair;
  /** The same kind, its key encrypted with `clientPassphrase`. */
  clientEncrypted: KeyPair;
  clientPassphrase: string;
  /** A client certificate from another CA, which the server does not trust. */
  strangerClient: KeyPair;
  remove(): void;
}

/** A private CA and every certificate the tests need, made with openssl in a new folder. */
export function makePki(openssl: string, hostNames: string[]): TestPki {
  const dir = networkDir('pki');
  const file = (name: string) => path.join(dir, name);
  const run = (...args: string[]) =>
    execFileSync(openssl, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const newKey = (name: string) =>
    run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name));
  const san = [
    ...hostNames.map((name) => `DNS:${name}`),
    'IP:127.0.0.1',
    'IP:0:0:0:0:0:0:0:1',
  ].join(',');

  // The CA, and another one that nobody trusts.
  for (const ca of ['ca', 'stranger-ca']) {
    newKey(`${ca}.key`);
    run(
      'req',
      '-x509',
      '-new',
      '-key',
      file(`${ca}.key`),
      '-out',
      file(`${ca}.pem`),
      '-days',
      '2',
      '-subj',
      `/CN=mtr test ${ca}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  }
  // `openssl ca` can set any validity dates (x509 -req cannot before OpenSSL 3.4): an expired one.
  writeFileSync(file('index.txt'), '');
  writeFileSync(file('serial'), '1000\n');
  writeFileSync(
    file('ca.cnf'),
    [
      '[ca]',
      'default_ca = mtr',
      '[mtr]',
      `dir = ${dir}`,
      'database = $dir/index.txt',
      'serial = $dir/serial',
      'new_certs_dir = $dir',
      'default_md = sha256',
      'policy = anything',
      'unique_subject = no',
      'copy_extensions = copy',
      '[anything]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  const sign = (
    name: string,
    subject: string,
    altNames: string,
    ca: string,
    usage: 'serverAuth' | 'clientAuth',
    dates: { start: string; end: string } | undefined,
    passphrase?: string,
  ): KeyPair => {
    newKey(`${name}.key`);
    run(
      'req',
      '-new',
      '-key',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      `/CN=${subject}`,
      ...(altNames ? ['-addext', `subjectAltName=${altNames}`] : []),
      '-addext',
      `extendedKeyUsage=${usage}`,
    );
    run(
      'ca',
      '-batch',
      '-config',
      file('ca.cnf'),
      '-cert',
      file(`${ca}.pem`),
      '-keyfile',
      file(`${ca}.key`),
      '-in',
      file(`${name}.csr`),
      '-out',
      file(`${name}.pem`),
      '-notext',
      ...(dates ? ['-startdate', dates.start, '-enddate', dates.end] : ['-days', '2']),
    );
    if (passphrase !== undefined) {
      run(
        'pkey',
        '-in',
        file(`${name}.key`),
        '-out',
        file(`${name}.enc.key`),
        '-aes-256-cbc',
        '-passout',
        `pass:${passphrase}`,
      );
      return { cert: file(`${name}.pem`), key: file(`${name}.enc.key`) };
    }
    return { cert: file(`${name}.pem`), key: file(`${name}.key`) };
  };
  const server = sign('server', hostNames[0] ?? 'localhost', san, 'ca', 'serverAuth', undefined);
  const expired = sign('expired', hostNames[0] ?? 'localhost', san, 'ca', 'serverAuth', {
    start: '20200101000000Z',
    end: '20200102000000Z',
  });
  const wrongHost = sign(
    'wrong-host',
    'wrong-host.example',
    'DNS:wrong-host.example',
    'ca',
    'serverAuth',
    undefined,
  );
  newKey('self-signed.key');
  run(
    'req',
    '-x509',
    '-new',
    '-key',
    file('self-signed.key'),
    '-out',
    file('self-signed.pem'),
    '-days',
    '2',
    '-subj',
    `/CN=${hostNames[0] ?? 'localhost'}`,
    '-addext',
    `subjectAltName=${san}`,
  );
  const clientPassphrase = 'mtr-key-Passphrase-7';
  const client = sign('client', 'reviewer', '', 'ca', 'clientAuth', undefined);
  const clientEncrypted = sign(
    'client2',
    'reviewer2',
    '',
    'ca',
    'clientAuth',
    undefined,
    clientPassphrase,
  );
  const strangerClient = sign('stranger', 'stranger', '', 'stranger-ca', 'clientAuth', undefined);
  return {
    dir,
    caFile: file('ca.pem'),
    server,
    expired,
    wrongHost,
    selfSigned: { cert: file('self-signed.pem'), key: file('self-signed.key') },
    client,
    clientEncrypted,
    clientPassphrase,
    strangerClient,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** One `server` block of the test nginx: TLS with this certificate, in front of `upstream`. */
export interface NginxSite {
  name: string;
  tls: KeyPair;
  /** `host:port` of MLflow (or of nothing: a 502), served under /mlflow/ (prefix removed). */
  upstream: string;
  /** Require a client certificate signed by this CA file. */
  clientCa?: string;
  /** Give up on an upstream that does not answer after this many seconds (a 504). */
  readTimeoutSeconds?: number;
  /**
   * The Host header MLflow gets; default: the name the client used, which MLflow refuses unless
   * it is loopback, private, or in its --allowed-hosts.
   */
  upstreamHost?: string;
}

/**
 * A real nginx in the foreground (`daemon off`), every file in a temporary folder. Each site
 * listens on a free port of 127.0.0.1 (and of the address `extraListen` names, if any); under
 * /mlflow/ it passes requests to its upstream without the prefix, /login/ answers 200 with an
 * HTML sign-in page (as a single sign-on gateway does), and /moved/ redirects to another origin.
 */
export class Nginx {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly ports: Record<string, number>,
    private readonly exited: Promise<void>,
  ) {}

  static async start(
    nginx: string,
    sites: NginxSite[],
    options: {
      extraListen?: string;
      redirectTo?: string;
      /** TLS-terminating TCP streams; they need `streamModule`. */
      streams?: NginxTlsStream[];
      streamModule?: string;
    } = {},
  ): Promise<Nginx> {
    const dir = networkDir('nginx');
    const ports: Record<string, number> = {};
    const streams = options.streams ?? [];
    for (const site of [...sites, ...streams]) ports[site.name] = await freeLoopbackPort();
    const addresses = ['127.0.0.1', ...(options.extraListen ? [options.extraListen] : [])];
    const asRoot = process.getuid?.() === 0;
    const conf = [
      // As root, the workers stay root too (nginx would switch to `nobody`, who may not read the
      // temporary folder).
      ...(asRoot ? ['user root;'] : []),
      ...(streams.length > 0 && options.streamModule
        ? [`load_module ${options.streamModule};`]
        : []),
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log info;`,
      'events { worker_connections 64; }',
      'http {',
      `  access_log ${dir}/access.log;`,
      `  client_body_temp_path ${dir}/client_body;`,
      `  proxy_temp_path ${dir}/proxy;`,
      `  fastcgi_temp_path ${dir}/fastcgi;`,
      `  uwsgi_temp_path ${dir}/uwsgi;`,
      `  scgi_temp_path ${dir}/scgi;`,
      ...sites.flatMap((site) => [
        '  server {',
        ...addresses.map((address) => `    listen ${address}:${ports[site.name]} ssl;`),
        `    ssl_certificate ${site.tls.cert};`,
        `    ssl_certificate_key ${site.tls.key};`,
        ...(site.clientCa
          ? [`    ssl_client_certificate ${site.clientCa};`, '    ssl_verify_client on;']
          : []),
        '    location /mlflow/ {',
        `      proxy_pass http://${site.upstream}/;`,
        `      proxy_set_header Host ${site.upstreamHost ?? '$host'};`,
        '      proxy_set_header X-Forwarded-Proto https;',
        `      proxy_read_timeout ${site.readTimeoutSeconds ?? 60}s;`,
        '    }',
        '    location /login/ {',
        '      default_type text/html;',
        `      return 200 '<!doctype html><html><head><title>Sign in</title></head><body><form method="post"><input name="user"><input name="password" type="password"></form></body></html>';`,
        '    }',
        ...(options.redirectTo
          ? [
              '    location /moved/ {',
              `      return 302 ${options.redirectTo}$request_uri;`,
              '    }',
            ]
          : []),
        '  }',
      ]),
      '}',
      ...(streams.length > 0
        ? [
            'stream {',
            ...streams.flatMap((stream) => [
              '  server {',
              `    listen 127.0.0.1:${ports[stream.name]} ssl;`,
              `    ssl_certificate ${stream.tls.cert};`,
              `    ssl_certificate_key ${stream.tls.key};`,
              `    proxy_pass ${stream.upstream};`,
              '  }',
            ]),
            '}',
          ]
        : []),
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'nginx.conf'), conf);
    const child = spawn(
      nginx,
      ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'],
      {
        cwd: dir,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const server = new Nginx(child, dir, ports, exited);
    try {
      await waitForPorts(
        Object.values(ports),
        exited,
        () => `nginx: ${stderr}${server.errorLog()}`,
      );
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  url(site: string, host = '127.0.0.1'): string {
    return `https://${host}:${this.ports[site]}`;
  }

  accessLog(): string {
    return readIfThere(path.join(this.dir, 'access.log'));
  }

  errorLog(): string {
    return readIfThere(path.join(this.dir, 'error.log'));
  }

  /** Stops nginx (graceful, then killed) and removes its folder; safe to call twice. */
  async stop(): Promise<void> {
    await stopChild(this.child, this.exited, 'SIGQUIT');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A real tinyproxy in the foreground on a free loopback port, optionally with basic auth. */
export class Tinyproxy {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    private readonly exited: Promise<void>,
  ) {}

  static async start(
    tinyproxy: string,
    options: { basicAuth?: { username: string; password: string } } = {},
  ): Promise<Tinyproxy> {
    const dir = networkDir('tinyproxy');
    const port = await freeLoopbackPort();
    const conf = [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 60',
      `LogFile "${dir}/tinyproxy.log"`,
      'LogLevel Connect',
      `PidFile "${dir}/tinyproxy.pid"`,
      'MaxClients 32',
      'Allow 127.0.0.1',
      'DisableViaHeader Yes',
      ...(options.basicAuth
        ? [`BasicAuth ${options.basicAuth.username} ${options.basicAuth.password}`]
        : []),
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'tinyproxy.conf'), conf);
    const child = spawn(tinyproxy, ['-d', '-c', path.join(dir, 'tinyproxy.conf')], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const proxy = new Tinyproxy(child, dir, port, exited);
    try {
      await waitForPorts([port], exited, () => `tinyproxy: ${stderr}${proxy.log()}`);
    } catch (error) {
      await proxy.stop();
      throw error;
    }
    return proxy;
  }

  /** `http://[user:password@]127.0.0.1:PORT`. */
  url(credentials?: { username: string; password: string }): string {
    const auth = credentials
      ? `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@`
      : '';
    return `http://${auth}127.0.0.1:${this.port}`;
  }

  log(): string {
    return readIfThere(path.join(this.dir, 'tinyproxy.log'));
  }

  /** The CONNECT requests it saw, as `host:port`, in order. */
  tunnels(): string[] {
    return [...this.log().matchAll(/Request \(file descriptor \d+\): CONNECT (\S+)/g)].map(
      (m) => m[1] ?? '',
    );
  }

  async stop(): Promise<void> {
    await stopChild(this.child, this.exited, 'SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<void>,
  signal: NodeJS.Signals,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Resolves once every port accepts a connection; rejects if the process exits first. */
async function waitForPorts(
  ports: number[],
  exited: Promise<void>,
  describe: () => string,
): Promise<void> {
  const state = { gone: false };
  void exited.then(() => (state.gone = true));
  const deadline = Date.now() + 30_000;
  for (const port of ports) {
    for (;;) {
      if (state.gone) throw new Error(`exited before listening on ${port}: ${describe()}`);
      if (await accepts(port)) break;
      if (Date.now() > deadline)
        throw new Error(`not listening on ${port} after 30 s: ${describe()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function readIfThere(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
