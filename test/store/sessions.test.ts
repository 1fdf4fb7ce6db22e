/**
 * Sessions in plain Node against a real MLflow server, with three turns of one conversation made
 * by MLflow's own Python SDK (`mlflow.update_current_trace(metadata={"mlflow.trace.session":
 * ...})`): the store reads a session's turns in order, the tree groups what is loaded (and keeps
 * its ranges), "This Session" filters on the server, and a session-level feedback written
 * through the store is what MLflow's own APIs call a session-level assessment, matched by a
 * `feedback.<name>` filter on every turn.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MlflowClient } from '../../src/mlflow/client';
import { asExperimentId, asTraceId, type ExperimentId, type TraceId } from '../../src/mlflow/ids';
import type { MlflowServer } from '../../src/mlflow-server/launcher';
import {
  firstTurn,
  isSessionAssessment,
  sessionAssessmentMetadata,
  SESSION_KEY,
} from '../../src/shared/sessions';
import { toSessionView } from '../../src/panels/session-view';
import { TraceStore, type StoreConnection } from '../../src/store/trace-store';
import type { GroupRangeNode, SessionNode, TraceNode, TreeNode } from '../../src/tree/nodes';
import { TraceTreeModel } from '../../src/tree/tree-model';
import { PythonSdk, type PyAssessment } from '../support/python-sdk';
import { startServer } from '../support/servers';

const EXPERIMENT = 'session-tests';
const SESSION = 'conv-42-lyon';
const OTHER = 'conv-other';
/**
 * A session id with quotes and a backslash: our filter quotes it safely. (MLflow's own
 * search_sessions does not: it builds `metadata.\`mlflow.trace.session\` = '<id>'` unquoted, and
 * the server rejects the filter; so the read-back through MLflow's APIs uses SESSION.)
 */
const QUOTED = "conv-'quoted'\\x";
/** Its own experiment: MLflow's search_sessions fails on every experiment that holds it. */
const QUOTED_EXPERIMENT = 'session-tests-quoted';

interface MadeSession {
  trace_ids: string[];
  experiment_id: string;
  session_id: string;
}

let server: MlflowServer;
let sdk: PythonSdk;
let client: MlflowClient;
let made: MadeSession;
let experimentId: ExperimentId;
let turns: TraceId[];
let loose: TraceId;

class TestConnection implements StoreConnection {
  state = { kind: 'connected' };
  settings = { experiments: [EXPERIMENT], pageSize: 2, trackingUri: { url: '' } };
  constructor(
    public client: MlflowClient,
    experiment = EXPERIMENT,
  ) {
    this.settings.trackingUri.url = client.baseUrl;
    this.settings.experiments = [experiment];
  }
  noteFailure(): void {
    // Failures fail the tests by themselves.
  }
}

before(async () => {
  server = await startServer();
  sdk = new PythonSdk(server.url);
  client = new MlflowClient({ baseUrl: server.url });
  made = await sdk.call<MadeSession>('create_session', {
    experiment: EXPERIMENT,
    session_id: SESSION,
    user: 'alice@example.com',
  });
  experimentId = asExperimentId(made.experiment_id);
  turns = made.trace_ids.map(asTraceId);
  // A trace of no session, then another session's two turns: the newest activity.
  loose = asTraceId(
    (
      await sdk.call<{ trace_id: string }>('create_trace', {
        experiment: EXPERIMENT,
        input: 'no session',
      })
    ).trace_id,
  );
  await sdk.call('create_session', {
    experiment: QUOTED_EXPERIMENT,
    session_id: QUOTED,
    questions: ['quoted'],
  });
  await sdk.call('create_session', {
    experiment: EXPERIMENT,
    session_id: OTHER,
    user: 'bob@example.com',
    questions: ['one', 'two'],
  });
});

after(async () => {
  sdk.close();
  await client.close();
  await server.stop();
});

const labelOf = (node: TreeNode): string =>
  node.kind === 'session'
    ? `session ${node.sessionId} (${node.group.turns.length})`
    : node.kind === 'trace'
      ? `trace ${node.traceId}`
      : node.kind;

describe('sessions', () => {
  it('reads a session’s turns from the server, oldest first, with its user, tokens and cost', async () => {
    const store = new TraceStore(new TestConnection(client));
    const { turns: read, complete } = await store.sessionTurns(experimentId, SESSION);
    assert.ok(complete);
    assert.deepEqual(
      read.map((t) => t.traceId),
      turns,
    );
    assert.equal(firstTurn(read)?.traceId, turns[0]);
    const view = toSessionView(experimentId, SESSION, read, complete);
    assert.deepEqual(view.users, ['alice@example.com']);
    assert.deepEqual(
      view.turns.map((t) => t.request),
      ['Hi, I need a hotel in Lyon', 'For two nights', 'Book it'],
    );
    assert.match(view.turns[2]?.response ?? '', /Re: Book it/);
    // As MLflow aggregated them from each turn's LLM span (mlflow.trace.tokenUsage and cost).
    assert.deepEqual(view.turns[0]?.tokens, { input: 12, output: 5, total: 17 });
    assert.equal(view.turns[0].cost, 0.0022);
    assert.deepEqual(view.totals.tokens, { input: 36, output: 15, total: 51 });
    assert.ok(Math.abs((view.totals.cost ?? 0) - 0.0066) < 1e-12);
    store.dispose();
  });

  it('groups only the loaded traces by session, newest activity first, turns oldest first', async () => {
    const store = new TraceStore(new TestConnection(client));
    // Ranges of 2 rows: the grouped rows (2 sessions, 1 trace) need one range too.
    const tree = new TraceTreeModel(store, new TestConnection(client), { rangeSize: 2 });
    tree.setGroupBySession(true);
    const [experiment] = await tree.getChildren();
    assert.ok(experiment?.kind === 'experiment');
    // A page of 2 traces: only the other session's two turns are loaded.
    let rows = await tree.getChildren(experiment);
    const note = rows[0];
    assert.ok(note?.kind === 'message');
    assert.match(note.text, /^Sessions of the 2 loaded traces · Load more for older turns$/);
    assert.deepEqual(rows.slice(1).map(labelOf), [`session ${OTHER} (2)`, 'loadMore']);
    // Load everything: the older session's turns join, in the order they happened.
    while (store.list(experimentId)?.nextPageToken) await store.loadMore(experimentId);
    rows = await tree.getChildren(experiment);
    // All loaded: no note, no Load more.
    assert.ok(rows.every((r) => r.kind !== 'message' && r.kind !== 'loadMore'));
    const [other, looseRow, range] = rows;
    assert.equal(labelOf(other as TreeNode), `session ${OTHER} (2)`);
    assert.equal(labelOf(looseRow as TreeNode), `trace ${loose}`);
    assert.equal(range?.kind, 'groupRange');
    const inRange = await tree.getChildren(range);
    assert.deepEqual(inRange.map(labelOf), [`session ${SESSION} (3)`]);
    const session = inRange[0] as SessionNode;
    // Three turns in ranges of 2: the first two directly, the third in a range.
    const turnRows = await tree.getChildren(session);
    assert.deepEqual(turnRows.slice(0, 2).map(labelOf), [`trace ${turns[0]}`, `trace ${turns[1]}`]);
    const rest = turnRows[2] as GroupRangeNode;
    assert.deepEqual((await tree.getChildren(rest)).map(labelOf), [`trace ${turns[2]}`]);
    // Every row knows its parent (for reveal).
    const third = tree.traceNode(turns[2] as string) as TraceNode;
    assert.equal(tree.getParent(third), rest);
    assert.equal(tree.getParent(rest), session);
    assert.equal(tree.getParent(session), range);
    assert.equal(tree.getParent(range as TreeNode), experiment);
    // Back to the list: the same traces, newest first, and no session row.
    tree.setGroupBySession(false);
    const flat = await tree.getChildren(experiment);
    assert.ok(flat.every((r) => r.kind !== 'session'));
    assert.equal(tree.getParent(third)?.kind, 'traceRange');
    tree.dispose();
    store.dispose();
  });

  for (const [what, id, count, experimentName] of [
    ['', SESSION, 3, EXPERIMENT],
    [' (an id with quotes and a backslash)', QUOTED, 1, QUOTED_EXPERIMENT],
  ] as const)
    it(`This Session filters on the server to the session’s turns${what}`, async () => {
      const store = new TraceStore(new TestConnection(client, experimentName));
      store.setFilter({ session: id, quick: new Set() });
      const [experiment] = await store.experiments();
      assert.ok(experiment);
      const list = await store.ensureList(experiment);
      while (list.nextPageToken) await store.loadMore(experiment.experimentId);
      assert.equal(list.traces.length, count);
      assert.ok(list.traces.every((t) => t.metadata[SESSION_KEY] === id));
      if (id === SESSION)
        assert.deepEqual(
          list.traces.map((t) => t.traceId),
          [...turns].reverse(),
        );
      store.dispose();
    });

  it('logs a session-level feedback on the first turn, which MLflow’s APIs see as one and its filter matches on every turn', async () => {
    const store = new TraceStore(new TestConnection(client));
    const first = turns[0] as TraceId;
    const saved = await store.logFeedback({
      traceId: first,
      name: 'session_resolved',
      value: true,
      rationale: 'Booked in three turns',
      source: { sourceType: 'HUMAN', sourceId: 'reviewer@example.com' },
      metadata: sessionAssessmentMetadata(SESSION),
    });
    assert.ok(isSessionAssessment(saved));
    const back = await sdk.call<{
      trace_ids: string[];
      session_assessments: (PyAssessment & { trace_id: string })[];
      filter_matches: string[];
    }>('session_readback', {
      experiment_id: experimentId,
      session_id: SESSION,
      filter: "feedback.session_resolved = 'true'",
    });
    assert.deepEqual(back.trace_ids, turns, 'search_sessions: the same turns, in order');
    assert.equal(back.session_assessments.length, 1);
    const [assessment] = back.session_assessments;
    assert.equal(assessment?.trace_id, first);
    assert.equal(assessment.assessment_name, 'session_resolved');
    assert.equal(assessment.metadata?.[SESSION_KEY], SESSION);
    assert.equal(assessment.source.source_type, 'HUMAN');
    assert.deepEqual(back.filter_matches, [...turns].sort(), 'the filter matches all three turns');
    store.dispose();
  });
});
