/**
 * Review queues and questions beyond the view, in the real workbench against the real server:
 * "Create Question…" typed step by step (its checks as typed) and "Create Queue…" read back with
 * MLflow's Python API (`mlflow.genai.label_schemas`, `mlflow.genai.review_queues`); the server's
 * "name taken" said plainly; every trace matching the filter added to a queue after a
 * confirmation that says how many; the trace panel's queues with the trace's status in each, and
 * its "Add to Review Queue…"; Log Feedback and Log Expectation offering the experiment's
 * questions (made in Python) first, asking and checking as each says, read back in Python with
 * their value types; values that do not fit refused with their messages.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import { PythonSdk } from '../support/python-sdk';
import {
  closeAllTabs,
  env,
  extensionApi,
  inWebview,
  inWorkbench,
  keys,
  run,
  screenshot,
  setSetting,
  showView,
  waitFor,
} from './support/harness';

const EXPERIMENT = 'Review Extras';
const REVIEWER = 'Extras.Reviewer@example.com';
const INPUTS = ['x-alpha', 'x-beta', 'x-gamma', 'x-delta'];

interface PySchema {
  schema_id: string;
  name: string;
  type: string;
  instruction: string | null;
  enable_comment: boolean;
  input: Record<string, unknown>;
  input_type: string;
}

interface PyQueue {
  queue_id: string;
  name: string;
  queue_type: string;
  users: string[];
  schema_ids: string[];
}

interface PyAnswer {
  kind: string;
  value: unknown;
  value_type: string;
  source_type: string;
  source_id: string;
  rationale: string | null;
  valid: boolean;
}

/** The message of the notification that holds `text`, read from the notification centre. */
async function notification(text: string): Promise<string> {
  await vscode.commands.executeCommand('notifications.showList');
  try {
    const [found] = await inWorkbench(
      { waitFor: '.notifications-center .notification-list-item', hasText: text },
      {
        inspect: `.notifications-center .notification-list-item-message:has-text(${JSON.stringify(text)})`,
      },
    );
    return found?.[0]?.text ?? '';
  } finally {
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('notifications.hideList');
  }
}

describe('review queues and questions: create, add, trace panel, everyday flows', () => {
  let api: ExtensionApi;
  let sdk: PythonSdk;
  let experimentId: string;
  let traceIds: string[];
  let helpful: PySchema;
  let score: PySchema;

  const schemas = () => sdk.call<PySchema[]>('list_label_schemas', { experiment_id: experimentId });
  const answers = (traceId: string, name: string) =>
    sdk.call<PyAnswer[]>('schema_answers', { trace_id: traceId, name });

  before(async function () {
    this.timeout(180_000);
    api = await extensionApi();
    await showView();
    await setSetting('reviewer', REVIEWER);
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
    sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
    traceIds = [];
    for (const input of INPUTS) {
      const made = await sdk.call<{ trace_id: string; experiment_id: string }>('create_trace', {
        experiment: EXPERIMENT,
        input,
      });
      traceIds.push(made.trace_id);
      experimentId = made.experiment_id;
    }
    helpful = await sdk.call<PySchema>('create_label_schema', {
      experiment_id: experimentId,
      name: 'Helpful',
      input: { kind: 'pass_fail', positive_label: 'Yes', negative_label: 'No' },
    });
    score = await sdk.call<PySchema>('create_label_schema', {
      experiment_id: experimentId,
      name: 'Score',
      input: { kind: 'numeric', min_value: 1, max_value: 5 },
      instruction: 'How good is the answer?',
      enable_comment: true,
    });
    await sdk.call('create_label_schema', {
      experiment_id: experimentId,
      name: 'Tone',
      input: { kind: 'categorical', options: ['formal', 'casual'] },
    });
    await sdk.call('create_label_schema', {
      experiment_id: experimentId,
      name: 'Reference',
      type: 'expectation',
      input: { kind: 'text', max_length: 20 },
    });
    await run('refresh');
  });

  after(async () => {
    sdk.close();
    await run('clearFilter');
    await closeAllTabs();
  });

  it('"Create Question…" asks step by step, checks as typed, and MLflow’s Python API reads it', async () => {
    const creating = run<{ schemaId: string }>('createQuestion', experimentId);
    await keys(
      { waitFor: 'quickInput' },
      { type: 'Feedback' },
      { waitForText: 'is the name of the experiment' },
      ...Array.from({ length: 8 }, () => ({ press: 'Backspace' })),
      { type: 'Coverage' },
      { press: 'Enter' },
      { waitForText: 'Create Question (2/6)' },
      { press: 'Enter' },
      { waitForText: 'Create Question (3/6)' },
      { type: 'Categorical' },
      { press: 'Enter' },
      { waitForText: 'The options, separated by commas' },
      { type: 'full, partial, full' },
      { waitForText: '"full" is typed twice' },
      ...Array.from({ length: 4 }, () => ({ press: 'Backspace' })),
      { type: 'none' },
      { press: 'Enter' },
      { waitForText: 'Several options' },
      { type: 'Several' },
      { press: 'Enter' },
      { waitForText: 'An instruction for reviewers' },
      { type: 'How much is covered?' },
      { press: 'Enter' },
      { waitForText: 'Create Question (6/6)' },
      { type: 'Allow' },
      { press: 'Enter' },
    );
    const made = await creating;
    const inPython = (await schemas()).find((s) => s.name === 'Coverage');
    assert.ok(inPython, 'the question is on the server');
    assert.equal(inPython.schema_id, made.schemaId);
    assert.equal(inPython.type, 'feedback');
    assert.equal(inPython.input_type, 'InputCategorical');
    assert.deepEqual(inPython.input, { options: ['full', 'partial', 'none'], multi_select: true });
    assert.equal(inPython.instruction, 'How much is covered?');
    assert.equal(inPython.enable_comment, true);
  });

  it('says plainly that a question’s name is taken', async () => {
    const refused = await run('createQuestion', {
      experimentId,
      name: 'Helpful',
      kind: 'feedback',
      input: { type: 'text' },
    });
    assert.equal(refused, undefined, 'reported');
    assert.match(
      await notification('already taken'),
      /^That name is already taken in this experiment .*choose another/,
    );
  });

  it('"Create Queue…" makes a custom queue with its creator among the reviewers, as MLflow’s UI does', async () => {
    const queue = await run<{ queueId: string }>('createQueue', {
      experimentId,
      name: 'Extras triage',
      users: ['Alice'],
      schemaIds: [helpful.schema_id, score.schema_id],
    });
    const inPython = await sdk.call<PyQueue>('get_review_queue', { queue_id: queue.queueId });
    assert.equal(inPython.name, 'Extras triage');
    assert.equal(inPython.queue_type, 'custom');
    assert.deepEqual([...inPython.users].sort(), ['alice', REVIEWER.toLowerCase()].sort());
    assert.deepEqual([...inPython.schema_ids].sort(), [helpful.schema_id, score.schema_id].sort());
    // The same name again: the server's answer, said plainly; "default" is refused before sending.
    assert.equal(
      await run('createQueue', {
        experimentId,
        name: 'extras TRIAGE',
        schemaIds: [helpful.schema_id],
      }),
      undefined,
    );
    assert.match(await notification('already taken'), /^That name is already taken/);
    assert.equal(
      await run('createQueue', { experimentId, name: 'default', schemaIds: [helpful.schema_id] }),
      undefined,
    );
    assert.match(await notification('catch-all'), /"default" is MLflow's catch-all queue/);
  });

  it('adds every trace matching the filter after a confirmation that says how many', async () => {
    const queue = await sdk.call<PyQueue>('create_review_queue', {
      experiment_id: experimentId,
      name: 'Unrated',
      users: [REVIEWER],
      schema_ids: [helpful.schema_id],
    });
    // One trace rated by a person: the quick filter "No human feedback" leaves three.
    await sdk.call('log_feedback', {
      trace_id: traceIds[0],
      name: 'rated',
      value: true,
      source: { source_type: 'HUMAN', source_id: 'carol' },
    });
    await run('refresh');
    await run('quickFilter', ['noHumanFeedback']);
    const adding = run<{ matched: number; added: number }>('addMatchingToQueue', {
      experimentId,
      queueId: queue.queue_id,
    });
    await keys({ waitForText: 'Add 3 traces matching \'No human feedback\' to queue "Unrated"?' });
    await screenshot('review-add-matching-confirm');
    await keys({ type: 'Add' }, { press: 'Enter' });
    const result = await adding;
    assert.equal(result.matched, 3);
    assert.equal(result.added, 3);
    const items = await sdk.call<{ item_id: string }[]>('list_review_queue_items', {
      queue_id: queue.queue_id,
    });
    assert.deepEqual(items.map((i) => i.item_id).sort(), traceIds.slice(1).sort());
    await run('clearFilter');
  });

  it('shows in the trace panel which queues hold the trace and its status there, and adds it to another', async () => {
    const [triage] = (
      await sdk.call<PyQueue[]>('list_review_queues', { experiment_id: experimentId })
    ).filter((q) => q.name === 'Extras triage');
    assert.ok(triage);
    await sdk.call('add_items_to_review_queue', {
      queue_id: triage.queue_id,
      item_ids: [traceIds[1]],
    });
    await sdk.call('set_review_queue_item_status', {
      queue_id: triage.queue_id,
      item_id: traceIds[1],
      status: 'complete',
      completed_by: 'carol',
    });
    await run('openTrace', { traceId: traceIds[1] });
    const [lines] = await inWebview(
      'trace',
      { waitFor: true, selector: '[data-testid="queues"] h2', hasText: 'Review queues (2)' },
      { text: true, selector: '[data-testid="queues"] li' },
    );
    assert.deepEqual([...(lines ?? [])].sort(), [
      'Extras triage · complete by carol',
      'Unrated · pending',
    ]);
    await inWebview('trace', { click: true, selector: '[data-testid="add-to-queue"]' });
    // No queue of the reviewer's own yet: "Create My Queue" makes it and adds the trace.
    await keys({ waitForText: 'Create My Queue' }, { type: 'Create My Queue' }, { press: 'Enter' });
    const [after] = await inWebview(
      'trace',
      { waitFor: true, selector: '[data-testid="queues"] h2', hasText: 'Review queues (3)' },
      { text: true, selector: '[data-testid="queues"] li' },
    );
    assert.ok(after?.includes(`${REVIEWER.toLowerCase()} · pending`), (after ?? []).join(' | '));
    await screenshot('review-trace-panel-queues');
    await closeAllTabs();
  });

  it('Log Feedback offers the questions first, asks a number within its bounds and reads back in Python', async () => {
    const logging = run('logFeedback', { traceId: traceIds[2] });
    await keys(
      { waitForText: 'Number from 1 to 5' },
      { type: 'Score' },
      { press: 'Enter' },
      { waitForText: 'Log Feedback (2/3)' },
      { type: '7' },
      { waitForText: '7 is above the maximum of 5' },
      { press: 'Backspace' },
      { type: '4' },
      { press: 'Enter' },
      { waitForText: 'Why?' },
      { type: 'solid' },
      { press: 'Enter' },
    );
    await logging;
    assert.deepEqual(await answers(traceIds[2] ?? '', 'Score'), [
      {
        kind: 'feedback',
        // A JSON number is read back by MLflow's Python API as a float, as MLflow's UI writes it.
        value: 4,
        value_type: 'float',
        source_type: 'HUMAN',
        source_id: REVIEWER,
        rationale: 'solid',
        valid: true,
      },
    ]);
  });

  it('asks a pass/fail question as its two labels, without a comment step when it allows none', async () => {
    const logging = run('logFeedback', { traceId: traceIds[3] });
    await keys(
      { waitForText: 'Pass/fail: Yes or No' },
      { type: 'Helpful' },
      { press: 'Enter' },
      { waitForText: 'Log Feedback (2/2)' },
      { type: 'No' },
      { press: 'Enter' },
    );
    await logging;
    const [answer] = await answers(traceIds[3] ?? '', 'Helpful');
    assert.ok(answer, 'logged');
    assert.equal(answer.value, false);
    assert.equal(answer.value_type, 'bool');
    assert.equal(answer.rationale, null);
  });

  it('Log Expectation offers the expectation questions and refuses text over the maximum length', async () => {
    const logging = run('logExpectation', { traceId: traceIds[3] });
    await keys(
      { waitForText: 'Text of at most 20 characters' },
      { type: 'Reference' },
      { press: 'Enter' },
      { waitForText: 'Log Expectation (2/2)' },
      { type: 'twenty-five characters!!' },
      { waitForText: 'more than the limit of 20' },
      ...Array.from({ length: 12 }, () => ({ press: 'Backspace' })),
      { press: 'Enter' },
    );
    await logging;
    const [answer] = await answers(traceIds[3] ?? '', 'Reference');
    assert.ok(answer, 'logged');
    assert.equal(answer.kind, 'expectation');
    assert.equal(answer.value, 'twenty-five ');
    assert.equal(answer.value_type, 'str');
  });

  it('the feedback form offers the questions as chips and checks a question’s answer as typed', async () => {
    const field = (name: string) => `[data-field="${name}"] input, [data-field="${name}"] textarea`;
    await run('openFeedbackForm', { traceId: traceIds[1] });
    const [error] = await inWebview(
      'form',
      { waitFor: true, selector: 'vscode-button[data-question="Score"]' },
      { click: true, selector: 'vscode-button[data-question="Score"]' },
      {
        waitFor: true,
        selector: '.question[data-question="Score"]',
        hasText: 'Number from 1 to 5',
      },
      { fill: '9', selector: field('valueText') },
      { waitFor: true, selector: '[data-error-for="valueText"]', hasText: 'above the maximum' },
      { text: true, selector: '[data-error-for="valueText"]' },
    );
    assert.deepEqual(error, ['9 is above the maximum of 5: give a number from 1 to 5.']);
    await screenshot('review-form-question');
    await inWebview(
      'form',
      { fill: '2', selector: field('valueText') },
      { click: true, selector: '[data-testid="submit"]' },
    );
    const logged = await waitFor('the answer in Python', async () => {
      const found = await answers(traceIds[1] ?? '', 'Score');
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(
      logged.map((a) => [a.kind, a.value, a.source_id]),
      [['feedback', 2, REVIEWER]],
    );
    await closeAllTabs();
  });

  it('refuses a given value that does not fit the question of that name, and keeps free-form names', async () => {
    assert.equal(
      await run('logFeedback', { traceId: traceIds[2], name: 'Tone', value: 'rude' }),
      undefined,
    );
    assert.match(
      await notification('is one of the experiment'),
      /^"Tone" is one of the experiment's questions: "rude" is not one of the options \("formal", "casual"\)/,
    );
    assert.deepEqual(await answers(traceIds[2] ?? '', 'Tone'), [], 'nothing was logged');
    // A name that is no question is logged as it always was.
    await run('logFeedback', { traceId: traceIds[2], name: 'free_form', value: 'anything' });
    const [free] = await answers(traceIds[2] ?? '', 'free_form');
    assert.ok(free, 'logged');
    assert.equal(free.value, 'anything');
  });
});
