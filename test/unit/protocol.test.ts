import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyDraft } from '../../src/shared/form-logic';
import { fromWebview, parseMessage, toWebview } from '../../src/shared/protocol';

describe('the webview protocol', () => {
  it('accepts the messages each side sends', () => {
    assert.ok(parseMessage(fromWebview, { type: 'ready' }).ok);
    assert.ok(
      parseMessage(fromWebview, { type: 'submit', draft: emptyDraft('me'), next: false }).ok,
    );
    assert.ok(
      parseMessage(fromWebview, {
        type: 'assessmentAction',
        action: 'override',
        assessmentId: 'a-1',
      }).ok,
    );
    assert.ok(
      parseMessage(toWebview, { type: 'submitFailed', message: 'down', field: 'valueText' }).ok,
    );
  });

  it('rejects what does not match, saying where', () => {
    const unknown = parseMessage(fromWebview, { type: 'run', code: 'alert(1)' });
    assert.ok(!unknown.ok);
    assert.match(unknown.reason, /^type: Invalid discriminator value/);
    const bad = parseMessage(fromWebview, {
      type: 'assessmentAction',
      action: 'drop-table',
      assessmentId: 'a-1',
    });
    assert.ok(!bad.ok);
    assert.match(bad.reason, /^action: /);
    const draft = parseMessage(fromWebview, {
      type: 'submit',
      draft: { ...emptyDraft('me'), valueType: 'date' },
      next: false,
    });
    assert.ok(!draft.ok);
    assert.match(draft.reason, /^draft\.valueType: /);
    assert.equal(parseMessage(fromWebview, 'ready').ok, false);
  });
});
