import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeBadTrackingUri,
  isLoopback,
  redactTypedUrl,
  redactUserInfo,
  resolveTrackingUri,
  withoutUserInfo,
} from '../../src/connection/tracking-uri';

describe('which tracking URL counts', () => {
  const inspected = {
    globalValue: 'http://user:5000',
    workspaceValue: 'http://workspace:5000',
  };

  it('takes the workspace setting in a trusted workspace', () => {
    assert.deepEqual(resolveTrackingUri(inspected, true, 'http://env:5000'), {
      url: 'http://workspace:5000',
      origin: 'workspace settings',
    });
  });

  it('ignores the workspace setting in an untrusted workspace', () => {
    assert.deepEqual(resolveTrackingUri(inspected, false, 'http://env:5000'), {
      url: 'http://user:5000',
      origin: 'user settings',
    });
    assert.deepEqual(resolveTrackingUri({ workspaceValue: 'http://evil:5000' }, false, undefined), {
      url: 'http://127.0.0.1:5000',
      origin: 'default',
    });
  });

  it('falls back to MLFLOW_TRACKING_URI, only for an HTTP(S) server, then the default', () => {
    assert.equal(resolveTrackingUri({}, true, ' http://env:5000 ').url, 'http://env:5000');
    assert.equal(resolveTrackingUri({}, true, 'databricks').origin, 'default');
    assert.equal(resolveTrackingUri({}, true, 'file:///tmp/mlruns').origin, 'default');
    assert.equal(resolveTrackingUri({ globalValue: '  ' }, true, undefined).origin, 'default');
  });

  it('says what is wrong with a typed URL', () => {
    assert.equal(describeBadTrackingUri('http://127.0.0.1:5000/mlflow'), undefined);
    assert.match(describeBadTrackingUri('localhost:5000') ?? '', /http:\/\/ or https:\/\//);
    assert.match(describeBadTrackingUri('not a url') ?? '', /full URL/);
    assert.match(describeBadTrackingUri('http://me:secret@host') ?? '', /Sign In/);
    assert.match(describeBadTrackingUri('http://host/?x=1') ?? '', /query/);
  });

  it('marks a configured URL it cannot use, with what was probably meant', () => {
    const missingScheme = resolveTrackingUri({ globalValue: 'localhost:5000' }, true, undefined);
    assert.match(missingScheme.problem ?? '', /"localhost:5000" \(user settings\) cannot be used/);
    assert.equal(missingScheme.fix, 'http://localhost:5000');
    const bareAddress = resolveTrackingUri({ globalValue: '127.0.0.1:5000' }, true, undefined);
    assert.equal(bareAddress.fix, 'http://127.0.0.1:5000');
    const ftp = resolveTrackingUri({ globalValue: 'ftp://host' }, true, undefined);
    assert.ok(ftp.problem);
    assert.equal(ftp.fix, undefined, 'no guess for another scheme');
    assert.equal(
      resolveTrackingUri({ globalValue: 'http://ok:5000' }, true, undefined).problem,
      undefined,
    );
  });
});

describe('a tracking URL with a user and password in it', () => {
  it('is shown and used without them, which are kept apart for its own origin', () => {
    const resolved = resolveTrackingUri(
      { globalValue: 'https://alice:s3%40cret@mlflow.example.com' },
      true,
      undefined,
    );
    assert.equal(resolved.url, 'https://mlflow.example.com');
    assert.deepEqual(resolved.embedded, { username: 'alice', password: 's3@cret' });
    assert.equal(resolved.problem, undefined);
    assert.equal(
      withoutUserInfo('http://bob:pw@host:5000/mlflow').url,
      'http://host:5000/mlflow',
      'the path prefix stays',
    );
    const env = resolveTrackingUri({}, true, 'http://carol:pw@10.0.0.5:5000');
    assert.equal(env.url, 'http://10.0.0.5:5000');
    assert.equal(env.embedded?.username, 'carol');
  });

  it('never shows the password in a message', () => {
    assert.equal(
      redactUserInfo('Cannot connect to https://alice:s3cret@host/x (refused)'),
      'Cannot connect to https://***@host/x (refused)',
    );
    const broken = resolveTrackingUri({ globalValue: 'ftp://alice:s3cret@host' }, true, undefined);
    assert.ok(broken.problem);
    assert.doesNotMatch(broken.problem, /s3cret/);
  });

  it('never shows the password of a URL typed without a scheme', () => {
    for (const typed of ['alice:s3cret@host:5000', 'alice:s3@cret@host:5000']) {
      const broken = resolveTrackingUri({ globalValue: typed }, true, undefined);
      assert.match(broken.problem ?? '', /^The tracking URL "\*\*\*@host:5000" \(user settings\)/);
      assert.doesNotMatch(broken.problem ?? '', /s3|cret/);
      assert.equal(broken.url, '***@host:5000', 'nor where the URL itself is shown');
      assert.equal(broken.fix, undefined, 'no guess that would send the password');
    }
    assert.equal(redactTypedUrl('http://bob:pw@host:5000'), 'http://***@host:5000');
    assert.equal(redactTypedUrl('localhost:5000'), 'localhost:5000');
  });

  it('leaves an email address in a message as it is', () => {
    for (const text of [
      'Logged by bob@example.com',
      'Reviewer:bob@example.com',
      '{"email":"bob@example.com"}',
    ])
      assert.equal(redactUserInfo(text), text);
  });

  it('knows which addresses stay on this machine', () => {
    assert.equal(isLoopback('http://127.0.0.1:5000'), true);
    assert.equal(isLoopback('http://localhost:5000'), true);
    assert.equal(isLoopback('http://[::1]:5000'), true);
    assert.equal(isLoopback('http://10.0.0.5:5000'), false);
    assert.equal(isLoopback('http://127.0.0.1.evil.com'), false);
  });
});
