/** Every assessment command, driven with arguments and through its quick-pick flow, checked with MLflow's SDK. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { Assessment, Feedback } from '../../src/mlflow';
import { PythonSdk, type PyAssessment } from '../support/python-sdk';
import {
  env,
  extensionApi,
  keys,
  panelTabs,
  rows,
  screenshot,
  seed,
  setSetting,
  showView,
  waitFor,
  run,
} from './support/harness';

const REVIEWER = 'reviewer@example.com';

describe('assessment commands', () => {
  let api: ExtensionApi;
  let sdk: PythonSdk;
  const { traces } = seed();

  before(async () => {
    api = await extensionApi();
    await showView();
    await setSetting('reviewer', REVIEWER);
    await waitFor('the reviewer setting', () => api.connection.settings.reviewer === REVIEWER);
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
    sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
  });
  after(() => {
    sdk.close();
  });

  const onServer = (traceId: string) =>
    sdk.call<PyAssessment[]>('trace_assessments', { trace_id: traceId });

  it('logs feedback given as arguments, as HUMAN with the reviewer identity', async () => {
    const logged = await run<Feedback>('logFeedback', {
      traceId: traces.error,
      name: 'helpful',
      value: false,
      rationale: 'crashed',
    });
    assert.ok(logged, 'the command failed');
    const stored = (await onServer(traces.error)).find(
      (a) => a.assessment_id === logged.assessmentId,
    );
    assert.deepEqual(stored?.source, { source_type: 'HUMAN', source_id: REVIEWER });
    assert.equal(stored.feedback?.value, false);
    assert.equal(stored.rationale, 'crashed');
  });

  it('logs feedback on a trace through the quick-pick flow, with the keyboard alone', async () => {
    const samples = (await api.store.experiments()).find((e) => e.name === 'Sample apps');
    assert.ok(samples);
    await api.store.ensureList(samples);
    const node = api.tree.traceNode(traces.untrusted);
    assert.ok(node);
    await api.view.reveal(node, { select: true, focus: true });
    const pending = run<Feedback>('logFeedback');
    // The flow says who the feedback will be attributed to before it is written.
    await keys(
      { waitForText: `Log Feedback (1/4) · untrusted_output_app · as ${REVIEWER}` },
      { type: 'conciseness' },
      { press: 'Enter' },
    );
    await keys({ waitForText: 'Log Feedback (2/4)' }, { type: 'Number' }, { press: 'Enter' });
    await keys({ waitForText: 'Log Feedback (3/4)' }, { type: '4.5' });
    await screenshot('log-feedback-value');
    await keys(
      { press: 'Enter' },
      { waitForText: 'Log Feedback (4/4)' },
      { type: 'short and to the point' },
      { press: 'Enter' },
    );
    const logged = await pending;
    assert.ok(logged, 'the flow did not log');
    const stored = (await onServer(traces.untrusted)).find(
      (a) => a.assessment_id === logged.assessmentId,
    );
    assert.equal(stored?.assessment_name, 'conciseness');
    assert.equal(stored.feedback?.value, 4.5);
    assert.equal(stored.rationale, 'short and to the point');
    assert.deepEqual(stored.source, { source_type: 'HUMAN', source_id: REVIEWER });
    // Only that trace was fetched again, and the tree shows the new row.
    const row = (await rows(api, api.tree.traceNode(traces.untrusted))).find(
      (r) => r.label === 'conciseness: 4.5',
    );
    assert.ok(row);
  });

  it('refuses a value of the wrong type as it is typed', async () => {
    const pending = run<Feedback>('logFeedback', { traceId: traces.untrusted });
    await keys({ waitForText: 'Log Feedback (1/4)' }, { type: 'score' }, { press: 'Enter' });
    await keys({ waitForText: 'Log Feedback (2/4)' }, { type: 'Number' }, { press: 'Enter' });
    await keys({ waitForText: 'Log Feedback (3/4)' }, { type: 'four' });
    await keys({ waitForText: '"four" is not a number' });
    await screenshot('log-feedback-invalid-number');
    await keys({ press: 'Escape' });
    assert.equal(await pending, undefined);
    assert.equal(
      (await onServer(traces.untrusted)).some((a) => a.assessment_name === 'score'),
      false,
    );
  });

  it('logs a span-level feedback when given a span', async () => {
    const spanIds = await sdk.call<{ span_id: string; name: string }[]>('span_summaries', {
      trace_id: traces.agent,
    });
    const tool = spanIds.find((s) => s.name === 'get_weather');
    assert.ok(tool);
    const logged = await run<Feedback>('logFeedback', {
      traceId: traces.agent,
      spanId: tool.span_id,
      name: 'tool_ok',
      value: true,
    });
    const stored = (await onServer(traces.agent)).find(
      (a) => a.assessment_id === logged.assessmentId,
    );
    assert.equal(stored?.span_id, tool.span_id);
  });

  it('logs an expectation with a JSON value from the palette', async () => {
    const pending = run<Assessment>('logExpectation', { traceId: traces.chat });
    await keys(
      { waitForText: 'Log Expectation (1/3)' },
      { type: 'expected_facts' },
      { press: 'Enter' },
    );
    await keys({ waitForText: 'Log Expectation (2/3)' }, { type: 'JSON' }, { press: 'Enter' });
    await keys(
      { waitForText: 'JSON: any JSON value' },
      { type: '{"facts": ["greets back", "asks how to help"]}' },
      { press: 'Enter' },
    );
    const logged = await pending;
    assert.ok(logged);
    const values = await sdk.call<Record<string, { value: unknown }>>('assessment_values', {
      trace_id: traces.chat,
    });
    assert.equal(logged.name, 'expected_facts');
    assert.deepEqual(values[logged.assessmentId]?.value, {
      facts: ['greets back', 'asks how to help'],
    });
  });

  it('logs an expectation given as arguments', async () => {
    const logged = await run<Assessment>('logExpectation', {
      traceId: traces.rag,
      name: 'expected_count',
      value: 3,
    });
    const values = await sdk.call<Record<string, { value: unknown }>>('assessment_values', {
      trace_id: traces.rag,
    });
    assert.equal(values[logged.assessmentId]?.value, 3);
  });

  it('logs an expectation from the editor’s selection', async () => {
    const document = await vscode.workspace.openTextDocument({
      language: 'json',
      content: '{"answer": 42}',
    });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, 0, document.lineAt(0).text.length);
    const pending = run<Assessment>('logExpectation', { traceId: traces.error });
    await keys(
      { waitForText: 'Log Expectation (1/3)' },
      { type: 'from_selection' },
      { press: 'Enter' },
    );
    await keys({ waitForText: 'Log Expectation (2/3)' }, { type: 'selection' }, { press: 'Enter' });
    const logged = await pending;
    assert.ok(logged);
    const values = await sdk.call<Record<string, { value: unknown }>>('assessment_values', {
      trace_id: traces.error,
    });
    assert.deepEqual(values[logged.assessmentId]?.value, { answer: 42 });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('logs a large expectation edited as a JSON document: saving logs it', async () => {
    const pending = run<Assessment>('logExpectation', { traceId: traces.error });
    await keys(
      { waitForText: 'Log Expectation (1/3)' },
      { type: 'big_document' },
      { press: 'Enter' },
    );
    await keys(
      { waitForText: 'Log Expectation (2/3)' },
      { type: 'JSON document' },
      { press: 'Enter' },
    );
    const editor = await waitFor('the JSON document', () =>
      vscode.window.activeTextEditor?.document.fileName.endsWith('big_document.json')
        ? vscode.window.activeTextEditor
        : undefined,
    );
    const big = { rows: Array.from({ length: 500 }, (_, i) => ({ id: i, text: `row ${i}` })) };
    // First a mistake: saving invalid JSON logs nothing and keeps the document open.
    await editor.edit((edit) => {
      edit.replace(new vscode.Range(0, 0, editor.document.lineCount, 0), '{ not json');
    });
    await editor.document.save();
    await editor.edit((edit) => {
      edit.replace(
        new vscode.Range(0, 0, editor.document.lineCount, 0),
        JSON.stringify(big, null, 2),
      );
    });
    await screenshot('log-expectation-document');
    await editor.document.save();
    const logged = await pending;
    assert.ok(logged);
    const values = await sdk.call<Record<string, { value: unknown }>>('assessment_values', {
      trace_id: traces.error,
    });
    assert.deepEqual(values[logged.assessmentId]?.value, big);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('gives two pending JSON documents of the same name one file each, and ends each flow once', async () => {
    const openDocument = async (traceId: string) => {
      const pending = run<Assessment | undefined>('logExpectation', { traceId });
      await keys(
        { waitForText: 'Log Expectation (1/3)' },
        { type: 'same_name' },
        { press: 'Enter' },
      );
      await keys(
        { waitForText: 'Log Expectation (2/3)' },
        { type: 'JSON document' },
        { press: 'Enter' },
      );
      const editor = await waitFor('its JSON document', () => {
        const active = vscode.window.activeTextEditor;
        return active?.document.fileName.includes(traceId) ? active : undefined;
      });
      return { pending, editor };
    };
    const first = await openDocument(traces.error);
    const second = await openDocument(traces.rag);
    assert.notEqual(first.editor.document.fileName, second.editor.document.fileName);
    assert.match(second.editor.document.fileName, /same_name\.json$/);

    // Closing the second cancels it alone; saving the first logs on the first trace only.
    await vscode.window.showTextDocument(second.editor.document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    assert.equal(await second.pending, undefined, 'cancelled');
    const editor = await vscode.window.showTextDocument(first.editor.document);
    await editor.edit((edit) => {
      edit.replace(new vscode.Range(0, 0, editor.document.lineCount, 0), '{"for": "error"}');
    });
    await editor.document.save();
    const logged = await first.pending;
    assert.ok(logged);
    const names = async (traceId: string) =>
      (await sdk.call<{ assessment_name: string }[]>('trace_assessments', { trace_id: traceId }))
        .map((a) => a.assessment_name)
        .filter((name) => name === 'same_name');
    assert.deepEqual(await names(traces.error), ['same_name']);
    assert.deepEqual(await names(traces.rag), []);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('edits value, rationale, name and metadata in place', async () => {
    const logged = await run<Feedback>('logFeedback', {
      traceId: traces.error,
      name: 'editable',
      value: 1,
    });
    const id = { traceId: traces.error, assessmentId: logged.assessmentId };
    await run('editAssessment', { ...id, update: { feedback: { value: 2 } } });
    await run('editAssessment', { ...id, update: { rationale: 'second look' } });
    await run('editAssessment', { ...id, update: { name: 'edited' } });
    await run('editAssessment', { ...id, update: { metadata: { ticket: 'ABC-1' } } });
    await run('editAssessment', { ...id, update: { metadata: { round: 2 } } });
    const stored = await sdk.call<PyAssessment>('get_assessment', {
      trace_id: traces.error,
      assessment_id: logged.assessmentId,
    });
    assert.equal(stored.assessment_name, 'edited');
    assert.equal(stored.feedback?.value, 2);
    assert.equal(stored.rationale, 'second look');
    assert.deepEqual(stored.metadata, { ticket: 'ABC-1', round: '2' });
  });

  it('edits through the flow: the value, prefilled', async () => {
    const logged = await run<Feedback>('logFeedback', {
      traceId: traces.error,
      name: 'flow_edit',
      value: 'draft',
    });
    const pending = run<Assessment>('editAssessment', {
      traceId: traces.error,
      assessmentId: logged.assessmentId,
    });
    await keys({ waitForText: 'Edit Assessment (1/2)' }, { press: 'Enter' });
    await keys({ waitForText: 'Edit Assessment (2/2)' }, { press: 'Enter' });
    await keys(
      { waitForText: 'Text: a label' },
      { press: 'End' },
      { type: ' final' },
      { press: 'Enter' },
    );
    const updated = await pending;
    assert.equal(updated.value, 'draft final');
  });

  it('edits the focused row on F2, not the selected one', async () => {
    const selected = await run<Feedback>('logFeedback', {
      traceId: traces.error,
      name: 'key_selected',
      value: 'value-selected',
    });
    const focused = await run<Feedback>('logFeedback', {
      traceId: traces.error,
      name: 'key_focused',
      value: 'value-focused',
    });
    assert.equal(await run('revealAssessment', selected.assessmentId), true);
    await waitFor('the selection', () => api.view.selection.length === 1);
    const focusedRow = await waitFor('the focused assessment’s row', () =>
      api.tree.assessmentNode(focused.assessmentId),
    );
    // The keyboard focus moves to another row, as the arrow keys do, leaving the selection.
    await api.view.reveal(focusedRow, { select: false, focus: true });
    await keys({ press: 'F2' }, { waitForText: 'Edit Assessment (1/2)' });
    await keys({ waitForText: '"value-focused"' });
    await screenshot('f2-focused-row');
    await keys({ press: 'Escape' });
  });

  it('suggests the experiment’s names when renaming an assessment', async () => {
    // flow_edit (the test above) is a feedback name in this experiment's loaded traces.
    const logged = await run<Feedback>('logFeedback', {
      traceId: traces.error,
      name: 'rename_me',
      value: 1,
    });
    const pending = run<Assessment | undefined>('editAssessment', {
      traceId: traces.error,
      assessmentId: logged.assessmentId,
    });
    await keys(
      { waitForText: 'Edit Assessment (1/2)' },
      { type: 'Name' },
      { press: 'Enter' },
      { waitForText: 'Edit Assessment (2/2)' },
      { press: 'Control+A' },
      { press: 'Backspace' },
      { waitForText: 'flow_edit' },
      { press: 'Escape' },
    );
    assert.equal(await pending, undefined);
  });

  it('overrides a judge: the original stays, invalid, and the tree shows it as overridden', async () => {
    const judged = (await onServer(traces.rag)).find((a) => a.assessment_name === 'groundedness');
    assert.ok(judged);
    const override = await run<Feedback>('overrideFeedback', {
      traceId: traces.rag,
      assessmentId: judged.assessment_id,
      value: 'no',
      rationale: 'the second claim is not in the documents',
    });
    assert.ok(override);
    const after = await onServer(traces.rag);
    assert.equal(after.find((a) => a.assessment_id === judged.assessment_id)?.valid, false);
    const stored = after.find((a) => a.assessment_id === override.assessmentId);
    assert.equal(stored?.overrides, judged.assessment_id);
    assert.deepEqual(stored.source, { source_type: 'HUMAN', source_id: REVIEWER });

    const traceNode = api.tree.traceNode(traces.rag);
    assert.ok(traceNode);
    const children = await rows(api, traceNode);
    const original = children.find(
      (r) =>
        r.node.kind === 'assessment' && r.node.assessment.assessmentId === judged.assessment_id,
    );
    assert.match(original?.description ?? '', /^overridden by human reviewer@example.com/);
    await api.view.reveal(traceNode, { select: true, expand: true });
    await screenshot('tree-override');

    // Deleting the override restores the judge's feedback.
    assert.equal(
      await run('deleteAssessment', {
        traceId: traces.rag,
        assessmentId: override.assessmentId,
        confirmed: true,
      }),
      true,
    );
    const restored = (await onServer(traces.rag)).find(
      (a) => a.assessment_id === judged.assessment_id,
    );
    assert.equal(restored?.valid, true);
    const again = (await rows(api, api.tree.traceNode(traces.rag))).find(
      (r) =>
        r.node.kind === 'assessment' && r.node.assessment.assessmentId === judged.assessment_id,
    );
    assert.equal(again?.contextValue, 'assessment feedback valid');
  });

  it('overrides through the flow', async () => {
    const judged = await run<Feedback>('logFeedback', {
      traceId: traces.chat,
      name: 'politeness',
      value: false,
    });
    const pending = run<Feedback>('overrideFeedback', {
      traceId: traces.chat,
      assessmentId: judged.assessmentId,
    });
    await keys(
      { waitForText: 'politeness = false by human reviewer@example.com (1/3)' },
      { press: 'Enter' },
    );
    await keys({ waitForText: '(2/3)' }, { press: 'Enter' });
    await keys({ waitForText: 'Why?' }, { type: 'it was polite' }, { press: 'Enter' });
    const override = await pending;
    assert.equal(override.value, true);
    assert.equal(override.overrides, judged.assessmentId);
  });

  it('offers what was typed again after an override fails to send', async () => {
    const judged = await run<Feedback>('logFeedback', {
      traceId: traces.chat,
      name: 'patience',
      value: true,
    });
    const args = { traceId: traces.chat, assessmentId: judged.assessmentId };
    const failing = run<Feedback>('overrideFeedback', args);
    await keys({ waitForText: 'patience = true' }, { press: 'Enter' });
    await keys({ waitForText: '(2/3)' }, { type: 'false' }, { press: 'Enter' });
    await keys({ waitForText: 'Why?' }, { type: 'typed before the outage' });
    await run('selectServer', env('MTR_STOPPED_URL'));
    try {
      await keys({ press: 'Enter' });
      assert.equal(await failing, undefined, 'the send failed (reported)');
    } finally {
      await run('selectServer', env('MLFLOW_TRACKING_URI'));
      await waitFor('connected again', () => api.connection.state.kind === 'connected');
    }
    // "Try Again" runs the command again with the same argument: Enter keeps each answer.
    const again = run<Feedback>('overrideFeedback', args);
    await keys({ waitForText: 'patience = true' }, { press: 'Enter' });
    await keys({ waitForText: '(2/3)' }, { press: 'Enter' });
    await keys({ waitForText: 'Why?' }, { press: 'Enter' });
    const override = await again;
    assert.equal(override.value, false);
    assert.equal(override.rationale, 'typed before the outage');
  });

  it('refuses to override an expectation, saying why', async () => {
    const expectation = (await onServer(traces.agent)).find((a) => a.expectation !== undefined);
    assert.ok(expectation);
    const before = (await onServer(traces.agent)).length;
    const result = await run('overrideFeedback', {
      traceId: traces.agent,
      assessmentId: expectation.assessment_id,
      value: 1,
    });
    assert.equal(result, undefined);
    assert.equal((await onServer(traces.agent)).length, before, 'nothing was logged');
  });

  it('deletes an assessment', async () => {
    const logged = await run<Feedback>('logFeedback', {
      traceId: traces.error,
      name: 'to_delete',
      value: true,
    });
    assert.equal(
      await run('deleteAssessment', {
        traceId: traces.error,
        assessmentId: logged.assessmentId,
        confirmed: true,
      }),
      true,
    );
    assert.equal(
      (await onServer(traces.error)).some((a) => a.assessment_id === logged.assessmentId),
      false,
    );
  });

  it('does nothing on Enter when nothing matches, and takes a pasted trace id', async () => {
    const samples = (await api.store.experiments()).find((e) => e.name === 'Sample apps');
    assert.ok(samples);
    // With no trace selected, the command asks which trace.
    const experimentRow = api.tree.experimentNode(samples.experimentId);
    assert.ok(experimentRow);
    await api.view.reveal(experimentRow, { select: true, focus: true });
    const unmatched = run<string | undefined>('copyTraceId');
    await keys(
      { waitForText: 'Copy Trace ID' },
      { type: 'no trace is called this' },
      { press: 'Enter' },
      { waitForText: 'Copy Trace ID' },
      { press: 'Escape' },
    );
    assert.equal(await unmatched, undefined, 'Enter took a trace that did not match');

    const pasted = run<string | undefined>('copyTraceId');
    await keys({ waitForText: 'Copy Trace ID' }, { type: traces.rag }, { press: 'Enter' });
    assert.equal(await pasted, traces.rag);
  });

  it('reviews the latest trace: reveals it and starts the feedback flow', async () => {
    const created = await sdk.call<{ trace_id: string }>('create_trace', {
      experiment: 'Sample apps',
      input: 'latest',
    });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const pending = run<string>('reviewLatestTrace');
    await keys({ waitForText: 'Log Feedback (1/4)' });
    const selected = api.view.selection[0];
    assert.equal(selected?.kind === 'trace' && selected.traceId, created.trace_id);
    // The trace is in view, in its panel, while it is rated.
    assert.equal(panelTabs('trace'), 1);
    await screenshot('review-latest-trace');
    await keys({ press: 'Escape' });
    assert.equal(await pending, created.trace_id);
  });

  it('copies ids, builds the MLflow UI link, and reveals an assessment by id', async () => {
    assert.equal(await run('copyTraceId', { traceId: traces.agent }), traces.agent);
    assert.equal(await vscode.env.clipboard.readText(), traces.agent);
    const url = await run<string>('openInMlflowUi', { traceId: traces.agent });
    assert.equal(
      url,
      `${env('MLFLOW_TRACKING_URI')}/#/experiments/${seed().experiments.samples}/traces?selectedEvaluationId=${traces.agent}`,
    );
    const expectation = (await onServer(traces.agent)).find((a) => a.expectation !== undefined);
    assert.ok(expectation);
    assert.equal(await run('revealAssessment', expectation.assessment_id), true);
    const selected = api.view.selection[0];
    assert.equal(
      selected?.kind === 'assessment' && selected.assessment.assessmentId,
      expectation.assessment_id,
    );
    assert.equal(await run('copyAssessmentId'), expectation.assessment_id);
  });
});
