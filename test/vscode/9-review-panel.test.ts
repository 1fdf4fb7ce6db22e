/**
 * The review panel in the real workbench against the real server: a queue and its questions
 * (label schemas) made with MLflow's Python API, worked in the panel with real key presses in
 * its webview (digits, Tab, typing) and the panel's VS Code keybindings (Ctrl+Enter, Ctrl+D,
 * Alt+R), and everything it wrote read back with MLflow's Python SDK: one HUMAN assessment per
 * answered question named after it, its kind and value, the comment as rationale, overrides of
 * the reviewer's own earlier answers, the item's status and who completed it. Also the pre-fill,
 * next-unreviewed wrapping and the finish state, bad input of every kind (each a message in the
 * panel, the answers kept, nothing written), and the panel released when closed.
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
  run,
  screenshot,
  setSetting,
  showView,
  waitFor,
} from './support/harness';

const EXPERIMENT = 'Review Panel';
/** Mixed case: the server lowercases queue users and completers; answers keep the name as set. */
const REVIEWER = 'Panel.Reviewer@Example.com';

interface PyEntity {
  queue_id: string;
  schema_id: string;
}
interface PyItem {
  item_id: string;
  status: string;
  completed_by: string | null;
}
interface PyAnswer {
  assessment_id: string;
  name: string;
  kind: string;
  value: unknown;
  source_type: string;
  source_id: string;
  rationale: string | null;
  valid: boolean;
  overrides: string | null;
}

const question = (name: string) => `[data-testid="question-${name}"]`;

describe('the review panel', () => {
  let api: ExtensionApi;
  let sdk: PythonSdk;
  let experimentId: string;
  let traceIds: string[];
  let queueId: string;
  /** The queue's items in the server's order (the panel's). */
  let order: string[];
  let schemas: Record<string, string>;

  async function answers(traceId: string): Promise<PyAnswer[]> {
    return sdk.call<PyAnswer[]>('review_answers', { trace_id: traceId });
  }
  async function items(queue = queueId): Promise<PyItem[]> {
    return sdk.call<PyItem[]>('list_review_queue_items', { queue_id: queue });
  }
  async function statusOf(traceId: string, queue = queueId): Promise<PyItem | undefined> {
    return (await items(queue)).find((i) => i.item_id === traceId);
  }
  /** The trace the panel shows, once its webview has drawn it with its questions. */
  async function shown(traceId: string): Promise<void> {
    await waitFor(`the panel on ${traceId}`, () => api.review.active?.traceId === traceId);
    await inWebview('review', { waitFor: true, selector: '[data-question="0"]' });
  }
  async function message(): Promise<string> {
    const [[text = ''] = []] = await inWebview('review', {
      text: true,
      selector: '[data-testid="review-message"]',
    });
    return text;
  }
  async function waitForMessage(pattern: RegExp): Promise<string> {
    return waitFor(`the panel's message ${String(pattern)}`, async () => {
      const text = await message();
      return pattern.test(text) ? text : undefined;
    });
  }

  before(async function () {
    this.timeout(180_000);
    api = await extensionApi();
    await showView();
    await setSetting('reviewer', REVIEWER);
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
    sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
    traceIds = [];
    for (const input of ['p-one', 'p-two', 'p-three', 'p-four']) {
      const made = await sdk.call<{ trace_id: string; experiment_id: string }>('create_trace', {
        experiment: EXPERIMENT,
        input,
      });
      traceIds.push(made.trace_id);
      experimentId = made.experiment_id;
    }
    const make = async (name: string, input: unknown, extra: Record<string, unknown> = {}) =>
      (
        await sdk.call<PyEntity>('create_label_schema', {
          experiment_id: experimentId,
          name,
          input,
          ...extra,
        })
      ).schema_id;
    schemas = {
      correct: await make(
        'correct',
        { kind: 'pass_fail', positive_label: 'Correct', negative_label: 'Incorrect' },
        { enable_comment: true, instruction: 'Is the answer right?' },
      ),
      topic: await make('topic', { kind: 'categorical', options: ['billing', 'tech', 'other'] }),
      score: await make('score', { kind: 'numeric', min_value: 1, max_value: 5 }),
      ideal: await make('ideal', { kind: 'text', max_length: 20 }, { type: 'expectation' }),
    };
    queueId = (
      await sdk.call<PyEntity>('create_review_queue', {
        experiment_id: experimentId,
        name: 'Panel queue',
        users: [REVIEWER],
        schema_ids: [schemas.correct, schemas.topic, schemas.score, schemas.ideal],
      })
    ).queue_id;
    await sdk.call('add_items_to_review_queue', { queue_id: queueId, item_ids: traceIds });
    order = (await items()).map((i) => i.item_id);
  });

  after(async () => {
    sdk.close();
    await closeAllTabs();
  });

  it("opens the queue's first pending item beside its trace, each question drawn from its schema", async () => {
    const first = order[0] ?? '';
    await run('startReview', { queueId });
    await shown(first);
    const [title, names, kinds, choices, instruction, progress] = await inWebview(
      'review',
      { waitFor: true, selector: '.review-trace header h1' },
      { text: true, selector: '.review-trace header h1' },
      { text: true, selector: '.question-name' },
      { text: true, selector: '.question-kind' },
      { text: true, selector: `${question('correct')} .choice` },
      { text: true, selector: '.question-instruction' },
      { text: true, selector: '[data-testid="review-progress"]' },
    );
    assert.match(title?.[0] ?? '', /^my_app/, 'the trace, drawn by the trace view');
    assert.deepEqual(names, ['correct', 'topic', 'score', 'ideal']);
    assert.deepEqual(kinds, [
      'pass/fail · feedback',
      'pick one · feedback',
      'number from 1 to 5 · feedback',
      'text, at most 20 characters · expectation',
    ]);
    assert.deepEqual(choices, ['1 Correct', '2 Incorrect']);
    assert.deepEqual(instruction, ['Is the answer right?']);
    assert.deepEqual(progress, ['Item 1 of 4 · 0 of 4 reviewed']);
    await screenshot('review-panel');
  });

  it('is answered with the keys alone; Ctrl+Enter writes what MLflow’s Review tab writes, completes the item and shows the next', async () => {
    const first = order[0] ?? '';
    await inWebview(
      'review',
      { press: '1' }, // correct: Correct (the first question has the focus)
      { press: 'c' }, // its comment box
      { fill: 'looks right', selector: `${question('correct')} [data-comment]` },
      { press: 'Tab' },
      { press: '2' }, // topic: tech
      { press: 'Tab' },
      { press: '4' }, // score (typed into its field)
      { press: 'Tab' },
      { press: 'O' },
      { press: 'K' },
      { press: 'Control+Enter' },
    );
    await shown(order[1] ?? '');
    const written = await answers(first);
    assert.deepEqual(
      written.map((a) => [a.name, a.kind, a.value, a.source_type, a.source_id, a.rationale]),
      [
        ['correct', 'feedback', true, 'HUMAN', REVIEWER, 'looks right'],
        ['topic', 'feedback', 'tech', 'HUMAN', REVIEWER, null],
        ['score', 'feedback', 4, 'HUMAN', REVIEWER, null],
        ['ideal', 'expectation', 'OK', 'HUMAN', REVIEWER, null],
      ],
    );
    assert.ok(written.every((a) => a.valid && a.overrides === null));
    const item = await statusOf(first);
    assert.equal(item?.status, 'complete');
    assert.equal(item.completed_by, REVIEWER.toLowerCase());
    const [[progress = ''] = []] = await inWebview('review', {
      text: true,
      selector: '[data-testid="review-progress"]',
    });
    assert.equal(progress, 'Item 2 of 4 · 1 of 4 reviewed');
  });

  it("pre-fills the reviewer's own answers; answering again overrides them", async () => {
    const first = order[0] ?? '';
    await run('reviewPrevious');
    await shown(first);
    const [picked, score, comment] = await inWebview(
      'review',
      { text: true, selector: '.choice[aria-pressed="true"]' },
      { value: true, selector: `${question('score')} input` },
      { value: true, selector: `${question('correct')} [data-comment]` },
    );
    assert.deepEqual(picked, ['1 Correct', '2 tech']);
    assert.deepEqual(score, ['4']);
    assert.deepEqual(comment, ['looks right']);
    const before = await answers(first);
    const earlier = before.find((a) => a.name === 'correct');
    await inWebview(
      'review',
      { click: true, selector: question('correct') },
      { press: '2' },
      { press: 'Control+Enter' },
    );
    // Complete already: submitting saves and goes to the next unreviewed item.
    await shown(order[1] ?? '');
    const after = await answers(first);
    const now = after.filter((a) => a.name === 'correct' && a.valid);
    assert.equal(now.length, 1);
    assert.equal(now[0]?.value, false);
    assert.equal(now[0].overrides, earlier?.assessment_id);
    assert.equal(after.find((a) => a.assessment_id === earlier?.assessment_id)?.valid, false);
    // Each feedback was given again and overrides the one before. The expectation was sent with
    // `overrides` too (as MLflow's Review tab sends it), but MLflow 3.18's server drops it
    // (Expectation.from_proto in its create handler): both expectations stay valid, and the
    // newest is the reviewer's answer (what the pre-fill reads).
    const valid = after.filter((a) => a.valid);
    assert.deepEqual(valid.map((a) => [a.name, a.value]).sort(), [
      ['correct', false],
      ['ideal', 'OK'],
      ['ideal', 'OK'],
      ['score', 4],
      ['topic', 'tech'],
    ]);
    for (const a of valid.filter((v) => v.kind === 'feedback'))
      assert.equal(
        before.find((b) => b.assessment_id === a.overrides)?.name,
        a.name,
        `${a.name} overrides the earlier answer`,
      );
  });

  it('declines with Ctrl+D (and goes on), reopens with Alt+R', async () => {
    const second = order[1] ?? '';
    await inWebview(
      'review',
      { click: true, selector: question('correct') },
      { press: 'Control+d' },
    );
    await shown(order[2] ?? '');
    const declined = await statusOf(second);
    assert.equal(declined?.status, 'declined');
    assert.equal(declined.completed_by, REVIEWER.toLowerCase());
    assert.equal((await answers(second)).length, 0, 'declining writes no answer');
    await run('reviewPrevious');
    await shown(second);
    await inWebview('review', { click: true, selector: question('correct') }, { press: 'Alt+r' });
    await waitFor('the item reopened', async () => (await statusOf(second))?.status === 'pending');
    assert.equal((await statusOf(second))?.completed_by ?? null, null);
    const [[status = ''] = []] = await inWebview('review', {
      text: true,
      selector: '[data-testid="review-status"]',
    });
    assert.equal(status, 'pending');
  });

  it('shows the keys with ?', async () => {
    await inWebview('review', { click: true, selector: question('correct') }, { press: '?' });
    const [[sheet = ''] = []] = await inWebview(
      'review',
      { waitFor: true, selector: '[data-testid="review-cheat-sheet"]' },
      { text: true, selector: '[data-testid="review-cheat-sheet"]' },
    );
    assert.match(sheet, /Ctrl\+Enter \(⌘Enter\)Submit and go to the next unreviewed item/);
    assert.match(sheet, /Ctrl\+D \(⌘D\)Decline/);
    await inWebview('review', { press: 'Escape' });
  });

  it('refuses an out-of-range number and a too-long text as typed, never clamps, sends nothing', async () => {
    const traceId = api.review.active?.traceId ?? '';
    const before = (await answers(traceId)).length;
    const [problems] = await inWebview(
      'review',
      { fill: '9', selector: `${question('score')} input` },
      { fill: 'far more than twenty characters', selector: `${question('ideal')} textarea` },
      { text: true, selector: '[data-testid="question-problem"]' },
    );
    assert.deepEqual(problems, [
      '',
      '',
      '9 is above the maximum of 5: give a number from 1 to 5.',
      'The answer has 31 characters, 11 more than the limit of 20: shorten it.',
    ]);
    await inWebview('review', { press: 'Control+Enter' });
    await waitForMessage(/do not fit their questions/);
    const [score] = await inWebview('review', {
      value: true,
      selector: `${question('score')} input`,
    });
    assert.deepEqual(score, ['9'], 'kept as typed');
    assert.equal((await answers(traceId)).length, before, 'nothing was written');
    assert.equal((await statusOf(traceId))?.status, 'pending');
    await inWebview(
      'review',
      { fill: '3', selector: `${question('score')} input` },
      { fill: 'short', selector: `${question('ideal')} textarea` },
    );
  });

  it('finds on submit an option removed while the panel was open: a message, the answers kept', async () => {
    const traceId = api.review.active?.traceId ?? '';
    await inWebview('review', { click: true, selector: question('topic') }, { press: '3' });
    await sdk.call('update_label_schema', {
      schema_id: schemas.topic,
      input: { kind: 'categorical', options: ['billing', 'tech'] },
    });
    await inWebview('review', { press: 'Control+Enter' });
    const text = await waitForMessage(/not one of the options/);
    assert.match(text, /^topic: "other" is not one of the options \("billing", "tech"\)/);
    assert.equal((await answers(traceId)).length, 0, 'nothing was written');
    const [score, ideal] = await inWebview(
      'review',
      { value: true, selector: `${question('score')} input` },
      { value: true, selector: `${question('ideal')} textarea` },
    );
    assert.deepEqual([score, ideal], [['3'], ['short']]);
    // The new options show; picking one of them submits.
    const [options] = await inWebview('review', {
      text: true,
      selector: `${question('topic')} .choice`,
    });
    assert.deepEqual(options, ['1 billing', '2 tech']);
  });

  it('says so when the item was removed from the queue meanwhile, keeping the answers', async () => {
    const traceId = api.review.active?.traceId ?? '';
    await sdk.call('remove_items_from_review_queue', { queue_id: queueId, item_ids: [traceId] });
    await inWebview('review', { click: true, selector: question('topic') }, { press: '1' });
    await inWebview('review', { press: 'Control+Enter' });
    await waitForMessage(/removed from the queue "Panel queue" meanwhile: nothing was saved/);
    assert.equal((await answers(traceId)).length, 0);
    const [score] = await inWebview('review', {
      value: true,
      selector: `${question('score')} input`,
    });
    assert.deepEqual(score, ['3']);
  });

  it('says so when the queue was deleted meanwhile', async () => {
    await sdk.call('delete_review_queue', { queue_id: queueId });
    await inWebview(
      'review',
      { click: true, selector: question('topic') },
      { press: 'Control+Enter' },
    );
    await waitForMessage(/The review queue was not found \(404\): it may have been deleted/);
  });

  it('goes to the next unreviewed item, wrapping around, then shows that the queue is done', async () => {
    const queue = (
      await sdk.call<PyEntity>('get_or_create_user_queue', {
        experiment_id: experimentId,
        user: REVIEWER,
      })
    ).queue_id;
    await sdk.call('add_items_to_review_queue', {
      queue_id: queue,
      item_ids: [traceIds[2], traceIds[3]],
    });
    const [a = '', b = ''] = (await items(queue)).map((i) => i.item_id);
    // Starting on the last item, next unreviewed wraps to the first.
    await run('startReview', { queueId: queue, traceId: b });
    await shown(b);
    await run('reviewNextUnreviewed');
    await shown(a);
    await run('reviewDecline');
    await shown(b);
    await run('reviewDecline');
    const [[done = ''] = []] = await inWebview(
      'review',
      { waitFor: true, selector: '[data-testid="review-finished"]' },
      { text: true, selector: '[data-testid="review-finished"]' },
    );
    assert.match(done, /All items in this queue have been reviewed! 2 of 2 reviewed\./);
    assert.deepEqual(
      (await items(queue)).map((i) => i.status),
      ['declined', 'declined'],
    );
    const url = await run<string>('openInMlflowReview');
    assert.equal(
      url,
      `${api.connection.settings.trackingUri.url.replace(/\/+$/, '')}/#/experiments/${experimentId}/review-queue?selectedQueueId=${queue}`,
    );
    const itemUrl = await run<string>('openInMlflowReview', { queueId: queue, traceId: a });
    assert.match(
      itemUrl,
      new RegExp(`selectedQueueId=${queue}&selectedItemId=${a}&startReview=true$`),
    );
  });

  it('works a local queue where a server has no review queues: traces without human feedback, statuses in the workspace', async () => {
    const made: string[] = [];
    let localExperiment = '';
    for (const input of ['l-one', 'l-two', 'l-three']) {
      const t = await sdk.call<{ trace_id: string; experiment_id: string }>('create_trace', {
        experiment: 'Review Panel (local)',
        input,
      });
      made.push(t.trace_id);
      localExperiment = t.experiment_id;
    }
    const [reviewed = '', judged = '', bare = ''] = made;
    await sdk.call('log_feedback', {
      trace_id: reviewed,
      name: 'helpful',
      value: true,
      source: { source_type: 'HUMAN', source_id: 'carol' },
    });
    await sdk.call('log_feedback', {
      trace_id: judged,
      name: 'relevance',
      value: 0.5,
      source: { source_type: 'LLM_JUDGE', source_id: 'judge' },
    });
    await run('refreshQueues');
    await waitFor('the new experiment', async () =>
      (await api.store.experiments()).some((e) => e.experimentId === localExperiment),
    );
    const started = await run<{ queueId: string; items: number; traceId: string }>(
      'startLocalReview',
      { experimentId: localExperiment, fresh: true },
    );
    // The trace a person gave feedback is not in it; the questions are the names in use.
    assert.equal(started.items, 2);
    assert.ok([judged, bare].includes(started.traceId));
    await shown(started.traceId);
    const [names, kinds] = await inWebview(
      'review',
      { text: true, selector: '.question-name' },
      { text: true, selector: '.question-kind' },
    );
    assert.deepEqual(names?.map((n, i) => `${n}: ${kinds?.[i] ?? ''}`).sort(), [
      'helpful: pass/fail · feedback',
      'relevance: number · feedback',
    ]);
    await inWebview(
      'review',
      { click: true, selector: question('helpful') },
      { press: '1' },
      { press: 'Control+Enter' },
    );
    const second = started.traceId === judged ? bare : judged;
    await shown(second);
    const written = await answers(started.traceId);
    assert.deepEqual(
      written.filter((a) => a.source_type === 'HUMAN').map((a) => [a.name, a.value, a.source_id]),
      [['helpful', true, REVIEWER]],
    );
    await run('reviewDecline');
    await inWebview('review', { waitFor: true, selector: '[data-testid="review-finished"]' });
    // The statuses are the workspace's: worked on again, the queue is done.
    await closeAllTabs();
    await run('startLocalReview', { experimentId: localExperiment, fresh: false });
    const [[done = ''] = []] = await inWebview(
      'review',
      { waitFor: true, selector: '[data-testid="review-finished"]' },
      { text: true, selector: '[data-testid="review-finished"]' },
    );
    assert.match(done, /2 of 2 reviewed/);
    const url = await run<string | undefined>('openInMlflowReview');
    assert.equal(url, undefined, 'a local queue is not in MLflow: reported, nothing opened');
  });

  it('is released when its tab is closed', async () => {
    assert.equal(api.review.count, 1);
    await closeAllTabs();
    await waitFor('the review panel released', () => api.review.count === 0);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
