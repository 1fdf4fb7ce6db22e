/**
 * Real networks between the client and a real MLflow server: Debian's nginx terminating TLS with
 * certificates from a throwaway CA (made by openssl), under the path prefix /mlflow/, with bad
 * certificates, a client-certificate check, a dead and a silent upstream, a sign-in page and a
 * redirect; and Debian's tinyproxy as a forward proxy, open or with basic authentication. Nothing
 * here imitates MLflow or a proxy: every server is the real one, on a free loopback port, stopped
 * when the file ends (test/support/network-servers.ts).
 *
 * The host name used through the proxy is this machine's own (os.hostname(), which resolves to a
 * loopback address here): loopback names (127.0.0.1, localhost) always go direct, as in VS Code.
 */
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import { after, afterEach, before, describe, it } from 'node:test';
import { MlflowClient, type MlflowClientOptions } from '../../src/mlflow/client';
import {
  MlflowApiError,
  MlflowNetworkError,
  MlflowResponseError,
  MlflowSetupError,
} from '../../src/mlflow/errors';
import type { RequestLogEntry } from '../../src/mlflow/http';
import { freeLoopbackPort, type MlflowServer } from '../../src/mlflow-server/launcher';
import { makePki, networkTools, Nginx, Tinyproxy, type TestPki } from '../support/network-servers';
import { startServer } from '../support/servers';

const HOST = os.hostname().toLowerCase();
const PROXY_USER = { username: 'reviewer', password: 'ProxyS3cret7' };
const NO_RETRY = { maxRetries: 0 };

let pki: TestPki;
let mlflow: MlflowServer;
let nginx: Nginx;
let proxy: Tinyproxy;
let authProxy: Tinyproxy;
/** Accepts connections and never answers: an upstream that hangs (nginx then says 504). */
let silent: Server;
const silentSockets = new Set<Socket>();
const clients: MlflowClient[] = [];
/** What `before` started, stopped by `after` in reverse order, also when `before` failed midway. */
const cleanups: (() => unknown)[] = [];
const PROXY_VARIABLES = [
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
];
const savedEnv = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]));

before(async () => {
  const tools = networkTools();
  pki = makePki(tools.openssl, [HOST, 'localhost']);
  cleanups.push(() => pki.remove());
  // nginx sends MLflow the host name the client used. MLflow accepts loopback and private
  // addresses by default; with --allowed-hosts, only the names it lists.
  mlflow = await startServer({ allowedHosts: [HOST, 'localhost', '127.0.0.1'] });
  cleanups.push(() => mlflow.stop());
  silent = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of silentSockets) socket.destroy();
    return new Promise((resolve) => silent.close(resolve));
  });
  const silentPort = (silent.address() as { port: number }).port;
  const upstream = `127.0.0.1:${mlflow.port}`;
  const nothing = `127.0.0.1:${await freeLoopbackPort()}`;
  proxy = await Tinyproxy.start(tools.tinyproxy);
  cleanups.push(() => proxy.stop());
  authProxy = await Tinyproxy.start(tools.tinyproxy, { basicAuth: PROXY_USER });
  cleanups.push(() => authProxy.stop());
  // The host name resolves to loopback here; elsewhere nginx listens on its address too.
  const resolved = (await lookup(HOST)).address;
  nginx = await Nginx.start(
    tools.nginx,
    [
      { name: 'good', tls: pki.server, upstream },
      { name: 'expired', tls: pki.expired, upstream },
      { name: 'wrongHost', tls: pki.wrongHost, upstream },
      { name: 'selfSigned', tls: pki.selfSigned, upstream },
      { name: 'mtls', tls: pki.server, upstream, clientCa: pki.caFile },
      { name: 'down', tls: pki.server, upstream: nothing },
      {
        name: 'hanging',
        tls: pki.server,
        upstream: `127.0.0.1:${silentPort}`,
        readTimeoutSeconds: 1,
      },
    ],
    {
      ...(resolved.startsWith('127.') ? {} : { extraListen: resolved }),
      redirectTo: `https://${HOST}:${await freeLoopbackPort()}`,
      // An https proxy: TLS (a certificate from the private CA) in front of tinyproxy.
      streams: [{ name: 'httpsProxy', tls: pki.server, upstream: `127.0.0.1:${proxy.port}` }],
      streamModule: tools.nginxStreamModule,
    },
  );
  cleanups.push(() => nginx.stop());
});

afterEach(() => {
  for (const name of PROXY_VARIABLES) {
    if (savedEnv[name] === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = savedEnv[name];
  }
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function client(baseUrl: string, options: Partial<MlflowClientOptions> = {}): MlflowClient {
  const made = new MlflowClient({ baseUrl, retry: NO_RETRY, ...options });
  clients.push(made);
  return made;
}

/** The prefixed MLflow behind one of nginx's sites. */
function site(name: string, host = '127.0.0.1'): string {
  return `${nginx.url(name, host)}/mlflow`;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected the request to fail'),
    (error: unknown) => error,
  );
}

async function networkFailure(promise: Promise<unknown>): Promise<MlflowNetworkError> {
  const error = await failure(promise);
  assert.ok(error instanceof MlflowNetworkError, String(error));
  assert.doesNotMatch(error.message, /\n/);
  return error;
}

describe('TLS with a private CA, through nginx under /mlflow/', () => {
  it('works with caFile pointing at the CA, by address and by host name (--allowed-hosts)', async () => {
    for (const host of ['127.0.0.1', HOST]) {
      const c = client(site('good', host), { caFile: pki.caFile });
      assert.equal(await c.getServerVersion(), '3.18.0');
      const page = await c.searchExperiments({ maxResults: 5 });
      assert.ok(page.items.some((e) => e.name === 'Default'));
      assert.equal(c.network.caFile, pki.caFile);
    }
  });

  it('without caFile, names the untrusted CA and the setting that fixes it', async () => {
    const error = await networkFailure(client(site('good')).searchExperiments());
    assert.equal(error.failure, 'tls');
    assert.equal(error.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.match(error.message, /signed by a CA this machine does not trust/);
    assert.match(error.message, /mlflowTraceReview\.caFile/);
  });

  it('with a caFile of another CA, says the file does not hold the signer', async () => {
    // The self-signed certificate is a CA file, but not of the CA that signed the server's.
    const c = client(site('good'), { caFile: pki.selfSigned.cert });
    const error = await networkFailure(c.searchExperiments());
    assert.match(error.message, /not signed by a CA in mlflowTraceReview\.caFile/);
    assert.ok(error.message.includes(pki.selfSigned.cert));
  });

  it('an expired certificate: says so, and that caFile cannot fix it', async () => {
    const c = client(site('expired'), { caFile: pki.caFile });
    const error = await networkFailure(c.searchExperiments());
    assert.equal(error.code, 'CERT_HAS_EXPIRED');
    assert.match(error.message, /has expired.*renewed on the server.*caFile cannot fix this/);
  });

  it('a certificate for another host: names the host and what the certificate holds', async () => {
    const c = client(site('wrongHost', HOST), { caFile: pki.caFile });
    const error = await networkFailure(c.searchExperiments());
    assert.equal(error.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.match(error.message, new RegExp(`not made out to ${HOST}`));
    assert.match(error.message, /DNS:wrong-host\.example/);
  });

  it('a self-signed certificate: says so, and trusting it through caFile works', async () => {
    const error = await networkFailure(client(site('selfSigned')).searchExperiments());
    assert.equal(error.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.match(error.message, /self-signed certificate.*mlflowTraceReview\.caFile/);
    const trusting = client(site('selfSigned'), { caFile: pki.selfSigned.cert });
    assert.equal(await trusting.getServerVersion(), '3.18.0');
  });

  it('insecureSkipTlsVerify accepts an expired or self-signed certificate', async () => {
    for (const name of ['expired', 'selfSigned']) {
      const c = client(site(name), { insecureSkipTlsVerify: true });
      assert.equal(await c.getServerVersion(), '3.18.0');
      assert.equal(c.network.insecureSkipTlsVerify, true);
    }
  });

  it('a CA file that cannot be read: nothing is sent, the message names the setting', async () => {
    const c = client(site('good'), { caFile: `${pki.dir}/no-such-ca.pem` });
    const error = await failure(c.searchExperiments());
    assert.ok(error instanceof MlflowSetupError, String(error));
    assert.equal(error.setting, 'mlflowTraceReview.caFile');
    assert.match(error.message, /Cannot read the CA file .*no-such-ca\.pem \(ENOENT\)/);
  });
});

describe('through the reverse proxy', () => {
  it('a 502 while MLflow is down reads as the proxy not reaching MLflow', async () => {
    const error = await failure(client(site('down'), { caFile: pki.caFile }).searchExperiments());
    assert.ok(error instanceof MlflowApiError, String(error));
    assert.equal(error.status, 502);
    assert.match(error.message, /The proxy in front of MLflow at .* could not reach MLflow \(502/);
    assert.doesNotMatch(error.message, /The MLflow server failed/);
  });

  it('a 504 when MLflow does not answer reads as the proxy getting no answer in time', async () => {
    const c = client(site('hanging'), { caFile: pki.caFile });
    const error = await failure(c.searchExperiments());
    assert.ok(error instanceof MlflowApiError, String(error));
    assert.equal(error.status, 504);
    assert.match(error.message, /got no answer from MLflow in time \(504 Gateway Timeout\)/);
  });

  it('a sign-in page answered with 200 HTML is recognised, not parsed as MLflow', async () => {
    const c = client(`${nginx.url('good')}/login`, { caFile: pki.caFile });
    const error = await failure(c.searchExperiments());
    assert.ok(error instanceof MlflowResponseError, String(error));
    assert.match(error.message, /not JSON \(content-type text\/html\).*login page/);
  });

  it('a redirect is not followed, so the credentials go nowhere else', async () => {
    const logged: RequestLogEntry[] = [];
    const c = client(`${nginx.url('good')}/moved`, {
      caFile: pki.caFile,
      credentials: { kind: 'basic', username: 'alice', password: 'alice-Passw0rd' },
      onRequest: (entry) => logged.push(entry),
    });
    const error = await failure(c.searchExperiments());
    assert.ok(error instanceof MlflowApiError, String(error));
    assert.equal(error.status, 302);
    assert.match(error.message, /redirected/);
    assert.equal(logged.length, 1, 'one request, no second one to the new address');
    // nginx writes its access log after answering: a bounded wait for the line, then one only.
    const moved = () =>
      nginx
        .accessLog()
        .split('\n')
        .filter((line) => line.includes('/moved/'));
    for (let waited = 0; moved().length === 0 && waited < 5000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(moved().length, 1, nginx.accessLog());
  });
});

describe('client certificates (mutual TLS)', () => {
  it('a certificate signed by the CA the server trusts is accepted', async () => {
    const c = client(site('mtls'), {
      caFile: pki.caFile,
      clientCertificate: { certFile: pki.client.cert, keyFile: pki.client.key },
    });
    assert.equal(await c.getServerVersion(), '3.18.0');
    assert.equal(c.network.clientCertFile, pki.client.cert);
  });

  it('an encrypted key opens with its passphrase', async () => {
    const c = client(site('mtls'), {
      caFile: pki.caFile,
      clientCertificate: {
        certFile: pki.clientEncrypted.cert,
        keyFile: pki.clientEncrypted.key,
        passphrase: pki.clientPassphrase,
      },
    });
    assert.equal(await c.getServerVersion(), '3.18.0');
  });

  it('no certificate: the server asks for one, the message names the settings', async () => {
    const error = await failure(client(site('mtls'), { caFile: pki.caFile }).searchExperiments());
    assert.ok(error instanceof MlflowApiError, String(error));
    assert.equal(error.status, 400);
    assert.match(error.message, /asks for a client certificate and none was sent/);
    assert.match(error.message, /mlflowTraceReview\.clientCertFile/);
  });

  it('a certificate from a CA the server does not trust is refused, and said so', async () => {
    const c = client(site('mtls'), {
      caFile: pki.caFile,
      clientCertificate: { certFile: pki.strangerClient.cert, keyFile: pki.strangerClient.key },
    });
    const error = await failure(c.searchExperiments());
    assert.ok(error instanceof MlflowApiError, String(error));
    assert.match(error.message, /refused the client certificate/);
  });

  it('a wrong or missing passphrase: nothing is sent, the message says what to do', async () => {
    for (const passphrase of ['not-the-passphrase', undefined]) {
      const c = client(site('mtls'), {
        caFile: pki.caFile,
        clientCertificate: {
          certFile: pki.clientEncrypted.cert,
          keyFile: pki.clientEncrypted.key,
          ...(passphrase === undefined ? {} : { passphrase }),
        },
      });
      const error = await failure(c.searchExperiments());
      assert.ok(error instanceof MlflowSetupError, String(error));
      assert.equal(error.setting, 'mlflowTraceReview.clientKeyFile');
      assert.match(
        error.message,
        passphrase ? /the stored passphrase does not open it/ : /no passphrase is stored/,
      );
      assert.match(error.message, /Set Client Key Passphrase/);
      assert.doesNotMatch(error.message, /not-the-passphrase/);
    }
  });
});

describe('a forward proxy (tinyproxy)', () => {
  const tunnelsTo = (p: Tinyproxy, port: number) =>
    p.tunnels().filter((t) => t === `${HOST}:${port}`).length;

  it('HTTPS_PROXY carries https requests, with the private CA through the tunnel', async () => {
    process.env.HTTPS_PROXY = proxy.url();
    const port = nginx.ports.good ?? 0;
    const seen = tunnelsTo(proxy, port);
    const c = client(site('good', HOST), { caFile: pki.caFile });
    assert.equal(await c.getServerVersion(), '3.18.0');
    assert.ok(tunnelsTo(proxy, port) > seen, 'the request went through the proxy');
    assert.deepEqual(c.network.proxy, {
      kind: 'proxy',
      url: `${proxy.url()}/`,
      shown: proxy.url(),
      source: 'HTTPS_PROXY',
    });
  });

  it('HTTP_PROXY carries plain http requests', async () => {
    process.env.HTTP_PROXY = proxy.url();
    const seen = tunnelsTo(proxy, mlflow.port);
    const c = client(`http://${HOST}:${mlflow.port}`);
    assert.equal(await c.getServerVersion(), '3.18.0');
    assert.ok(tunnelsTo(proxy, mlflow.port) > seen);
  });

  it('NO_PROXY and loopback addresses bypass it', async () => {
    process.env.HTTPS_PROXY = proxy.url();
    const before = proxy.tunnels().length;
    process.env.NO_PROXY = `example.com,${HOST}`;
    const listed = client(site('good', HOST), { caFile: pki.caFile });
    assert.equal(await listed.getServerVersion(), '3.18.0');
    assert.deepEqual(listed.network.proxy, { kind: 'direct', reason: 'noProxy' });
    Reflect.deleteProperty(process.env, 'NO_PROXY');
    for (const host of ['127.0.0.1', 'localhost']) {
      const loopback = client(site('good', host), { caFile: pki.caFile });
      assert.equal(await loopback.getServerVersion(), '3.18.0');
      assert.deepEqual(loopback.network.proxy, { kind: 'direct', reason: 'loopback' });
    }
    assert.equal(proxy.tunnels().length, before, 'nothing went through the proxy');
  });

  it('http.proxy wins over the environment; http.proxySupport off ignores both', async () => {
    process.env.HTTPS_PROXY = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const viaSetting = client(site('good', HOST), {
      caFile: pki.caFile,
      proxy: { url: proxy.url() },
    });
    assert.equal(await viaSetting.getServerVersion(), '3.18.0');
    assert.equal(
      viaSetting.network.proxy.kind === 'proxy' && viaSetting.network.proxy.source,
      'http.proxy',
    );
    const before = proxy.tunnels().length;
    const off = client(site('good', HOST), {
      caFile: pki.caFile,
      proxy: { support: 'off', url: proxy.url() },
    });
    assert.equal(await off.getServerVersion(), '3.18.0');
    assert.deepEqual(off.network.proxy, { kind: 'direct', reason: 'off' });
    assert.equal(proxy.tunnels().length, before);
  });

  it('a proxy that wants a password: 407 names the proxy, not MLflow', async () => {
    const c = client(site('good', HOST), { caFile: pki.caFile, proxy: { url: authProxy.url() } });
    const error = await networkFailure(c.searchExperiments());
    assert.equal(error.failure, 'proxy');
    assert.match(
      error.message,
      new RegExp(
        `^The proxy ${authProxy.url()} \\(from http\\.proxy\\) asks for a user name and password \\(407`,
      ),
    );
    assert.match(error.message, /http\.proxyAuthorization/);
  });

  it('proxy credentials in the URL or in http.proxyAuthorization work, and are never shown', async () => {
    const logged: RequestLogEntry[] = [];
    const inUrl = client(site('good', HOST), {
      caFile: pki.caFile,
      proxy: { url: authProxy.url(PROXY_USER) },
      onRequest: (entry) => logged.push(entry),
    });
    assert.equal(await inUrl.getServerVersion(), '3.18.0');
    const header = `Basic ${Buffer.from(`${PROXY_USER.username}:${PROXY_USER.password}`).toString('base64')}`;
    const inSetting = client(site('good', HOST), {
      caFile: pki.caFile,
      proxy: { url: authProxy.url(), authorization: header },
    });
    assert.equal(await inSetting.getServerVersion(), '3.18.0');
    // What is shown of the proxy, what is logged, and a failure's message hold no secret.
    const wrong = client(`https://${HOST}:${await freeLoopbackPort()}/mlflow`, {
      caFile: pki.caFile,
      proxy: { url: authProxy.url({ username: 'reviewer', password: 'WrongS3cret7' }) },
    });
    const error = await networkFailure(wrong.searchExperiments());
    const shown = [
      JSON.stringify(inUrl.network.proxy.kind === 'proxy' ? inUrl.network.proxy.shown : ''),
      JSON.stringify(logged),
      error.message,
    ].join('\n');
    for (const secret of [PROXY_USER.password, 'WrongS3cret7', header.slice(6)]) {
      assert.ok(!shown.includes(secret), `${secret} shown in ${shown}`);
    }
  });

  it('a proxy that refuses the connection: the message names the proxy and where it is set', async () => {
    const nowhere = `http://127.0.0.1:${await freeLoopbackPort()}`;
    process.env.HTTPS_PROXY = nowhere;
    const error = await networkFailure(
      client(site('good', HOST), { caFile: pki.caFile }).searchExperiments(),
    );
    assert.equal(error.failure, 'proxy');
    assert.equal(error.code, 'ECONNREFUSED');
    assert.match(
      error.message,
      new RegExp(`^The proxy ${nowhere} \\(from HTTPS_PROXY\\) does not accept connections`),
    );
    assert.match(error.message, /environment variable HTTPS_PROXY/);
    assert.doesNotMatch(error.message, /MLflow server/);
  });

  it('a proxy that cannot reach the server says so', async () => {
    const c = client(`https://${HOST}:${await freeLoopbackPort()}/mlflow`, {
      proxy: { url: proxy.url() },
    });
    const error = await networkFailure(c.searchExperiments());
    assert.equal(error.failure, 'proxy');
    assert.match(error.message, /could not reach https:\/\/.* \(5\d\d\)/);
  });

  it('an https proxy whose certificate is not trusted: http.proxyStrictSSL decides', async () => {
    const httpsProxy = `https://127.0.0.1:${nginx.ports.httpsProxy}`;
    const strict = client(site('good', HOST), { caFile: pki.caFile, proxy: { url: httpsProxy } });
    const error = await networkFailure(strict.searchExperiments());
    assert.equal(error.failure, 'proxy');
    assert.equal(error.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.match(
      error.message,
      /^The proxy https:\/\/127\.0\.0\.1:\d+ \(from http\.proxy\) presented a TLS certificate .*http\.proxyStrictSSL/,
    );
    const seen = proxy.tunnels().length;
    const lenient = client(site('good', HOST), {
      caFile: pki.caFile,
      proxy: { url: httpsProxy, strictSSL: false },
    });
    assert.equal(await lenient.getServerVersion(), '3.18.0');
    assert.ok(proxy.tunnels().length > seen, 'through tinyproxy behind the TLS');
  });

  it('an invalid proxy URL: nothing is sent, the message names the setting', async () => {
    const c = client(site('good', HOST), { proxy: { url: 'socks5://user:pw@127.0.0.1:1080' } });
    const error = await failure(c.searchExperiments());
    assert.ok(error instanceof MlflowSetupError, String(error));
    assert.match(
      error.message,
      /The proxy URL in http\.proxy \(socks5:\/\/127\.0\.0\.1:1080\) cannot be used/,
    );
    assert.doesNotMatch(error.message, /pw/);
  });
});
