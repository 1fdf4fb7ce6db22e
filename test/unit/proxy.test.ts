/** Which proxy carries the requests to a server: VS Code's rules for extensions (src/mlflow/proxy.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bypasses, isLoopback, resolveProxy } from '../../src/mlflow/proxy';

const target = new URL('https://mlflow.example.com/mlflow');

describe('resolveProxy', () => {
  it('takes http.proxy first, then the scheme’s own variable, then the other’s', () => {
    const env = { HTTPS_PROXY: 'http://env-https:3128', HTTP_PROXY: 'http://env-http:3128' };
    assert.deepEqual(resolveProxy(target, { url: 'http://setting:8080' }, env), {
      kind: 'proxy',
      url: 'http://setting:8080/',
      shown: 'http://setting:8080',
      source: 'http.proxy',
    });
    const fromEnv = resolveProxy(target, {}, env);
    assert.equal(fromEnv.kind === 'proxy' && fromEnv.shown, 'http://env-https:3128');
    const plain = new URL('http://mlflow.example.com');
    const route = resolveProxy(plain, {}, env);
    assert.equal(route.kind === 'proxy' && route.source, 'HTTP_PROXY');
    const onlyHttps = resolveProxy(plain, {}, { HTTPS_PROXY: 'http://env-https:3128' });
    assert.equal(onlyHttps.kind === 'proxy' && onlyHttps.source, 'HTTPS_PROXY');
    assert.deepEqual(resolveProxy(target, {}, {}), { kind: 'direct', reason: 'none' });
  });

  it('off means no proxy at all, the environment included', () => {
    const env = { HTTPS_PROXY: 'http://env:3128' };
    assert.deepEqual(resolveProxy(target, { support: 'off', url: 'http://setting:8080' }, env), {
      kind: 'direct',
      reason: 'off',
    });
  });

  it('never proxies loopback; honours NO_PROXY, or http.noProxy instead of it', () => {
    const env = { HTTPS_PROXY: 'http://env:3128', NO_PROXY: 'example.com' };
    for (const url of ['https://127.0.0.1:5000', 'http://localhost', 'http://[::1]:80']) {
      assert.deepEqual(resolveProxy(new URL(url), {}, env), { kind: 'direct', reason: 'loopback' });
    }
    assert.deepEqual(resolveProxy(target, {}, env), { kind: 'direct', reason: 'noProxy' });
    assert.equal(resolveProxy(target, { noProxy: 'other.org' }, env).kind, 'proxy');
  });

  it('keeps credentials out of what it shows, and refuses what is not an http(s) proxy', () => {
    const route = resolveProxy(target, { url: 'http://user:pa55@proxy:3128' }, {});
    assert.equal(route.kind === 'proxy' && route.shown, 'http://proxy:3128');
    assert.equal(route.kind === 'proxy' && route.url, 'http://user:pa55@proxy:3128/');
    const invalid = resolveProxy(target, { url: 'user:pa55@proxy:3128' }, {});
    assert.equal(invalid.kind, 'invalid');
    assert.doesNotMatch(JSON.stringify(invalid), /pa55/);
    const socks = resolveProxy(target, { url: 'socks5://proxy:1080' }, {});
    assert.equal(
      socks.kind === 'invalid' && socks.problem,
      'it must start with http:// or https://, not socks5://',
    );
  });
});

describe('NO_PROXY entries', () => {
  const cases: [string, string, string, boolean][] = [
    ['*', 'anything.org', '443', true],
    ['example.com', 'example.com', '443', true],
    ['example.com', 'mlflow.example.com', '443', true],
    ['.example.com', 'mlflow.example.com', '443', true],
    ['*.example.com', 'mlflow.example.com', '443', true],
    ['example.com', 'notexample.com', '443', false],
    ['example.com:8443', 'example.com', '443', false],
    ['example.com:8443', 'example.com', '8443', true],
    ['10.0.0.0/8', '10.1.2.3', '443', true],
    ['10.0.0.0/8', '11.1.2.3', '443', false],
    ['a.org, b.org', 'b.org', '80', true],
    ['', 'b.org', '80', false],
  ];
  for (const [list, host, port, expected] of cases) {
    it(`${JSON.stringify(list)} ${expected ? 'bypasses' : 'does not bypass'} ${host}:${port}`, () => {
      assert.equal(bypasses(list, host, port), expected);
    });
  }
  it('knows loopback', () => {
    assert.deepEqual(
      ['localhost', 'a.localhost', '127.0.0.5', '::1', 'vm', '10.0.0.1'].map(isLoopback),
      [true, true, true, true, false, false],
    );
  });
});
