/**
 * VS Code's own settings for the way to the server, against real servers the suite starts:
 * Debian's nginx terminating TLS with a throwaway CA's certificates (made by openssl) in front of
 * the seeded MLflow server, under /mlflow/, and Debian's tinyproxy as a forward proxy, open and
 * with basic authentication (test/support/network-servers.ts). `caFile`, `insecureSkipTlsVerify`,
 * `clientCertFile`/`clientKeyFile` with the key's passphrase in SecretStorage, `http.proxy`,
 * `http.proxySupport` and `http.proxyAuthorization`; what the log and the status bar say.
 */
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import os from 'node:os';
import * as vscode from 'vscode';
import { describeNetwork } from '../../src/connection/connection';
import type { ExtensionApi } from '../../src/extension';
import { makePki, networkTools, Nginx, Tinyproxy, type TestPki } from '../support/network-servers';
import { env, extensionApi, run, setSetting, waitFor } from './support/harness';

const HOST = os.hostname().toLowerCase();
const PROXY_USER = { username: 'reviewer', password: 'ProxyS3cret7' };

describe('TLS, proxies and client certificates through real nginx and tinyproxy', () => {
  let api: ExtensionApi;
  let pki: TestPki;
  let nginx: Nginx;
  let proxy: Tinyproxy;
  let authProxy: Tinyproxy;
  const cleanups: (() => unknown)[] = [];

  const setHttp = (key: string, value: unknown) =>
    vscode.workspace.getConfiguration('http').update(key, value, vscode.ConfigurationTarget.Global);
  const site = (name: string, host = '127.0.0.1') => `${nginx.url(name, host)}/mlflow`;
  const stateMessage = () => {
    const state = api.connection.state;
    return 'message' in state ? state.message : '';
  };

  async function connectTo(url: string, expected: string) {
    assert.equal(await run('selectServer', url), url);
    return waitFor(
      `state ${expected} for ${url}`,
      () =>
        api.connection.settings.trackingUri.url === url && api.connection.state.kind === expected,
    );
  }

  /** Waits until a changed setting has made a new client and the check ends in `expected`. */
  async function settle(expected: string, what: string) {
    await waitFor(what, () => api.connection.state.kind === expected);
  }

  before(async () => {
    api = await extensionApi();
    const tools = networkTools();
    pki = makePki(tools.openssl, [HOST, 'localhost']);
    cleanups.push(() => pki.remove());
    // The seeded server runs without --allowed-hosts: nginx sends it a loopback Host.
    const upstream = new URL(env('MLFLOW_TRACKING_URI')).host;
    const upstreamHost = '127.0.0.1';
    proxy = await Tinyproxy.start(tools.tinyproxy);
    cleanups.push(() => proxy.stop());
    authProxy = await Tinyproxy.start(tools.tinyproxy, { basicAuth: PROXY_USER });
    cleanups.push(() => authProxy.stop());
    // The host name resolves to loopback here; elsewhere nginx listens on its address too.
    const resolved = (await lookup(HOST)).address;
    nginx = await Nginx.start(
      tools.nginx,
      [
        { name: 'good', tls: pki.server, upstream, upstreamHost },
        { name: 'expired', tls: pki.expired, upstream, upstreamHost },
        { name: 'mtls', tls: pki.server, upstream, upstreamHost, clientCa: pki.caFile },
      ],
      {
        ...(resolved.startsWith('127.') ? {} : { extraListen: resolved }),
        // An https proxy: TLS with the private CA's certificate in front of tinyproxy.
        streams: [{ name: 'httpsProxy', tls: pki.server, upstream: `127.0.0.1:${proxy.port}` }],
        streamModule: tools.nginxStreamModule,
      },
    );
    cleanups.push(() => nginx.stop());
  });

  after(async () => {
    for (const key of ['caFile', 'insecureSkipTlsVerify', 'clientCertFile', 'clientKeyFile'])
      await setSetting(key, undefined);
    for (const key of ['proxy', 'proxySupport', 'proxyAuthorization', 'proxyStrictSSL'])
      await setHttp(key, undefined);
    await run('selectServer', env('MLFLOW_TRACKING_URI'));
    await waitFor('the seeded server again', () => api.connection.state.kind === 'connected');
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('names the untrusted CA and caFile, connects once caFile is set, and shows the file', async () => {
    await connectTo(site('good'), 'unreachable');
    assert.match(stateMessage(), /signed by a CA this machine does not trust/);
    assert.match(stateMessage(), /mlflowTraceReview\.caFile/);
    await setSetting('caFile', pki.caFile);
    await settle('connected', 'connected with the CA file');
    const network = api.connection.network;
    assert.ok(network);
    assert.ok(describeNetwork(network).includes(`CA file: ${pki.caFile}`));
    assert.ok(
      api.connection.networkLog.includes(`${api.connection.origin}: CA file: ${pki.caFile}`),
      api.connection.networkLog.join('\n'),
    );
  });

  it('insecureSkipTlsVerify accepts an expired certificate, and the log says so once', async () => {
    await connectTo(site('expired'), 'unreachable');
    assert.match(stateMessage(), /has expired/);
    const warnings = () =>
      api.connection.networkLog.filter(
        (line) =>
          line.startsWith(`${api.connection.origin}: `) &&
          /TLS certificate checks are off/.test(line),
      ).length;
    const before = warnings();
    await setSetting('insecureSkipTlsVerify', true);
    await settle('connected', 'connected without certificate checks');
    assert.equal(warnings(), before + 1);
    // Another client for the same server and settings (a sign-in does this) says nothing again.
    api.connection.reload();
    await settle('connected', 'connected again');
    assert.equal(warnings(), before + 1, 'said once');
    await setSetting('insecureSkipTlsVerify', undefined);
    await settle('unreachable', 'checks on again');
  });

  it('http.proxy carries the requests; http.proxySupport off goes direct', async () => {
    const tunnels = () => proxy.tunnels().filter((t) => t === `${HOST}:${nginx.ports.good}`).length;
    await setHttp('proxy', proxy.url());
    await connectTo(site('good', HOST), 'connected');
    const through = tunnels();
    assert.ok(through > 0, 'the requests went through tinyproxy');
    assert.deepEqual(api.connection.network?.proxy, {
      kind: 'proxy',
      url: `${proxy.url()}/`,
      shown: proxy.url(),
      source: 'http.proxy',
    });
    assert.ok(
      api.connection.networkLog.includes(
        `${api.connection.origin}: Proxy: ${proxy.url()} (from http.proxy)`,
      ),
    );
    await setHttp('proxySupport', 'off');
    await waitFor(
      'a direct client',
      () =>
        api.connection.network?.proxy.kind === 'direct' &&
        api.connection.state.kind === 'connected',
    );
    assert.equal(tunnels(), through, 'nothing more went through the proxy');
    await setHttp('proxySupport', undefined);
    await setHttp('proxy', undefined);
  });

  it('an https proxy with an untrusted certificate: http.proxyStrictSSL false accepts it', async () => {
    await setHttp('proxy', `https://127.0.0.1:${nginx.ports.httpsProxy}`);
    await connectTo(site('good', HOST), 'unreachable');
    assert.match(
      stateMessage(),
      /^The proxy https:\/\/127\.0\.0\.1:\d+ \(from http\.proxy\) presented/,
    );
    assert.match(stateMessage(), /http\.proxyStrictSSL/);
    await setHttp('proxyStrictSSL', false);
    await settle('connected', 'connected through the https proxy');
    await setHttp('proxyStrictSSL', undefined);
    await setHttp('proxy', undefined);
  });

  it('a proxy that wants a password: named in the state; http.proxyAuthorization answers it', async () => {
    await setHttp('proxy', authProxy.url());
    await connectTo(site('good', HOST), 'unreachable');
    assert.match(
      stateMessage(),
      new RegExp(
        `^The proxy ${authProxy.url()} \\(from http\\.proxy\\) asks for a user name and password`,
      ),
    );
    const header = `Basic ${Buffer.from(`${PROXY_USER.username}:${PROXY_USER.password}`).toString('base64')}`;
    await setHttp('proxyAuthorization', header);
    await settle('connected', 'connected through the proxy with its password');
    const shown = [
      ...api.connection.networkLog,
      ...describeNetwork(api.connection.network ?? assert.fail('no client')),
    ].join('\n');
    assert.ok(!shown.includes(header.slice(6)) && !shown.includes(PROXY_USER.password), shown);
    await setHttp('proxyAuthorization', undefined);
    await setHttp('proxy', undefined);
  });

  it('a client certificate: asked for, then its encrypted key opens with the passphrase in SecretStorage', async () => {
    await connectTo(site('mtls'), 'unreachable');
    assert.match(stateMessage(), /asks for a client certificate and none was sent/);
    await setSetting('clientCertFile', pki.clientEncrypted.cert);
    await setSetting('clientKeyFile', pki.clientEncrypted.key);
    await waitFor('no passphrase', () => /no passphrase is stored/.test(stateMessage()));
    assert.match(stateMessage(), /Set Client Key Passphrase/);
    assert.equal(await run('setClientKeyPassphrase', pki.clientPassphrase), true);
    await settle('connected', 'connected with the client certificate');
    assert.equal(
      await api.credentials.keyPassphrase(pki.clientEncrypted.key),
      pki.clientPassphrase,
    );
    assert.ok(
      describeNetwork(api.connection.network ?? assert.fail('no client')).includes(
        `Client certificate: ${pki.clientEncrypted.cert}`,
      ),
    );
    // Forgotten again: the next client has none.
    assert.equal(await run('setClientKeyPassphrase', ''), false);
    await waitFor('no passphrase again', () => /no passphrase is stored/.test(stateMessage()));
    await setSetting('clientCertFile', undefined);
    await setSetting('clientKeyFile', undefined);
  });
});
