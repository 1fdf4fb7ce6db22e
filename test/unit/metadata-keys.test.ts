/**
 * Metadata keys are anyone's text: `constructor`, `toString`, `hasOwnProperty` and `__proto__`
 * must be ordinary keys from the wire to the tree, the forms and back to the server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PARSERS } from '../../src/commands/args';
import { toTraceInfo } from '../../src/mlflow/convert';
import { parseWire, wireFeedback, wireTraceInfo } from '../../src/mlflow/schemas';
import { stringifyMetadata } from '../../src/mlflow/values';
import { checkEdit, checkFeedback, draftFrom, emptyDraft } from '../../src/shared/form-logic';
import { assessmentView, json } from '../../src/shared/protocol/common';
import { parseMetadata } from '../../src/shared/value-input';
import { assessmentTooltip } from '../../src/tree/tooltips';

const KEYS = ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf'];
/** Each key with its own value, as JSON text: what a server or a person sends. */
const METADATA_JSON = `{${KEYS.map((k) => `"${k}": "${k} value"`).join(', ')}}`;

/** Each key is an own property holding its value, and nothing else is there. */
function assertAllKeys(metadata: object | undefined, values = (k: string) => `${k} value`): void {
  assert.ok(metadata);
  assert.deepEqual(Object.keys(metadata).sort(), [...KEYS].sort());
  for (const key of KEYS)
    assert.equal(Object.getOwnPropertyDescriptor(metadata, key)?.value, values(key), key);
}

const URL = 'http://mlflow.test/api';
const wire = JSON.parse(`{
  "trace_id": "tr-1", "request_time": "2026-01-01T00:00:00Z", "state": "OK",
  "trace_metadata": ${METADATA_JSON}, "tags": ${METADATA_JSON},
  "assessments": [{
    "assessment_id": "a-1", "assessment_name": "tone", "trace_id": "tr-1",
    "source": {"source_type": "HUMAN", "source_id": "me"},
    "create_time": "2026-01-01T00:00:00Z", "last_update_time": "2026-01-01T00:00:00Z",
    "feedback": {"value": true}, "metadata": ${METADATA_JSON}
  }]
}`) as unknown;

describe('metadata keys that name Object.prototype members', () => {
  it('survive parsing and conversion of a trace', () => {
    const trace = toTraceInfo(parseWire(wireTraceInfo, wire, URL), URL);
    assertAllKeys(trace.metadata);
    assertAllKeys(trace.tags);
    assertAllKeys(trace.assessments[0]?.metadata);
  });
  it('show in the hover', () => {
    const trace = toTraceInfo(parseWire(wireTraceInfo, wire, URL), URL);
    const assessment = trace.assessments[0];
    assert.ok(assessment);
    const hover = assessmentTooltip(assessment);
    for (const key of KEYS) assert.ok(hover.includes(`\`${key}\` = \`${key} value\``), key);
  });
  it('go to the webviews and come back in a form', () => {
    const trace = toTraceInfo(parseWire(wireTraceInfo, wire, URL), URL);
    const assessment = trace.assessments[0];
    assert.ok(assessment);
    // What the panel posts is JSON, checked by the webview's protocol.
    const view = assessmentView.parse(JSON.parse(JSON.stringify(assessment)));
    assertAllKeys(view.metadata);
    const draft = draftFrom(view, 'edit', 'me');
    assert.deepEqual(draft.metadata.map((row) => row.key).sort(), [...KEYS].sort());
    assert.deepEqual(checkEdit(view, draft), {
      ok: false,
      errors: { form: 'Nothing has changed.' },
    });
  });
  it('are taken from a form, new or changed', () => {
    const rows = KEYS.map((key) => ({ key, value: `${key} value` }));
    const checked = checkFeedback({ ...emptyDraft('me'), name: 'tone', metadata: rows });
    assert.ok(checked.ok, JSON.stringify(checked));
    assertAllKeys(checked.value.metadata);

    const original = assessmentView.parse({
      ...JSON.parse(
        JSON.stringify(toTraceInfo(parseWire(wireTraceInfo, wire, URL), URL).assessments[0]),
      ),
      metadata: {},
    });
    const edit = checkEdit(original, { ...draftFrom(original, 'edit', 'me'), metadata: rows });
    assert.ok(edit.ok, JSON.stringify(edit));
    assertAllKeys(edit.value.metadata);
  });
  it('are sent as typed, from the quick flow and from a command', () => {
    const typed = parseMetadata(METADATA_JSON);
    assert.ok(typed.ok);
    assertAllKeys(stringifyMetadata(typed.value));
    const args = PARSERS.editAssessment(
      JSON.parse(
        `{"traceId": "tr-1", "assessmentId": "a-1", "update": {"metadata": ${METADATA_JSON}}}`,
      ),
    );
    assertAllKeys(args.update?.metadata);
  });
});

describe('keys such as __proto__ inside assessment and span values', () => {
  it('are kept from the wire and through the webview protocol', () => {
    const feedback = parseWire(wireFeedback, JSON.parse(`{"value": ${METADATA_JSON}}`), URL);
    assertAllKeys(feedback.value as object);
    const nested = json.parse(JSON.parse(`{"outer": ${METADATA_JSON}}`)) as { outer: object };
    assertAllKeys(nested.outer);
  });
});
