/**
 * The fault suite: every write path a person has, under every fault the network and the server
 * can throw at it, through the loopback fault proxy in front of the real server. For each cell,
 * the write is tried once with the fault; when the extension says it was not saved, the person
 * sends it again (the fault gone). Then MLflow's Python SDK counts what the server holds: exactly
 * the intended write, no duplicate, and no draft lost on the way. A table of it is printed.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import { FaultProxy, type Fault } from '../support/fault-proxy';
import { PythonSdk, type PyAssessment } from '../support/python-sdk';
import {
  closeAllTabs,
  env,
  extensionApi,
  inWebview,
  inWebviewIfShown,
  inWorkbench,
  keys,
  panelTabs,
  run,
  setSetting,
  showView,
  waitFor,
} from './support/harness';

/** What the person was told about the first try. */
type Said = 'saved' | 'not saved' | 'not known';

interface Cell {
  /** The first try's outcome, as the extension said it. */
  said: Said;
  /** The writes the server holds at the end (for a deletion, the assessments left: 0). */
  stored: number;
  intended: number;
  /** A draft the person typed that was gone after a failed try. */
  draftLost: boolean;
}

interface Prepared {
  traceId: string;
  /** An assessment made beforehand (to edit, override or delete). */
  assessmentId?: string;
}

interface WritePath {
  name: string;
  method: 'POST' | 'PATCH' | 'DELETE';
  /** Assessments to make beforehand through the SDK. */
  prepare?: (sdk: PythonSdk, traceId: string) => Promise<string>;
  /** What the person does before the write (opening and filling a form), with the server up. */
  open?: (p: Prepared) => Promise<void>;
  /** One try; the outcome as shown, and whether what was typed is still there when not saved. */
  attempt: (
    p: Prepared,
    again: boolean,
    /** Sets the fault now (paths that must first read the trace call it just before writing). */
    arm: () => Promise<void>,
  ) => Promise<{ said: Said; draftKept: boolean }>;
  /** Calls `arm` itself; else the fault is set before `attempt`. */
  armsItself?: true;
  /** How many of the intended writes the server holds (duplicates make it more than one). */
  count: (stored: PyAssessment[], p: Prepared) => number;
  intended: number;
}

const TIMEOUT_S = 3;

/** Faults on the write's own request; `stop` stops the server for the first try. */
const FAULTS: { name: string; fault?: Fault; stop?: true }[] = [
  { name: 'delay 1 s', fault: { kind: 'delay', ms: 1_000 } },
  { name: 'reset after send', fault: { kind: 'reset', afterServer: true } },
  { name: '502 after commit', fault: { kind: 'status', status: 502, afterServer: true } },
  { name: '504 after commit', fault: { kind: 'status', status: 504, afterServer: true } },
  {
    name: 'client timeout',
    fault: { kind: 'delay', ms: (TIMEOUT_S + 1.5) * 1000, afterServer: true },
  },
  {
    name: '429 Retry-After',
    fault: {
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ error_code: 'RESOURCE_EXHAUSTED', message: 'slow down' }),
    },
  },
  { name: 'server stopped', stop: true },
];

const field = (name: string) => `[data-field="${name}"] input, [data-field="${name}"] textarea`;

/**
 * A command's outcome: its result, else the notification that reported it. A command given its
 * values has no draft to lose; a quick flow's kept draft is what the JSON-document path's second
 * try takes, Enter after Enter.
 */
async function commandOutcome(result: unknown): Promise<{ said: Said; draftKept: boolean }> {
  if (result) return { said: 'saved', draftKept: true };
  return { said: await reported(), draftKept: true };
}

/** What the newest error notification says about the write. */
async function reported(): Promise<Said> {
  await vscode.commands.executeCommand('notifications.showList');
  const [shown] = await inWorkbench(
    { waitFor: '.notifications-center .notification-list-item' },
    { inspect: '.notifications-center .notification-list-item-message' },
  );
  await vscode.commands.executeCommand('notifications.clearAll');
  await vscode.commands.executeCommand('notifications.hideList');
  const text = (shown ?? []).map((s) => s.text).join('\n');
  return /not known whether/i.test(text) ? 'not known' : 'not saved';
}

/** A form's outcome: it closes once saved; else its error line says why, the draft still in it. */
async function formOutcome(name: string): Promise<{ said: Said; draftKept: boolean }> {
  let outcome: string;
  try {
    outcome = await waitFor('the form to close or say why', async () => {
      if (panelTabs('form') === 0) return 'closed';
      // Briefly: a form that was saved closes, and a closed one is never found.
      const [error] = await inWebviewIfShown('form', 1_000, {
        text: true,
        selector: '[data-testid="server-error"]',
      });
      const text = error?.join('') ?? '';
      return text.trim() ? text : undefined;
    });
  } catch (error) {
    throw new Error(`${String(error)} (tabs: ${tabNames()})`);
  }
  if (outcome === 'closed') return { said: 'saved', draftKept: true };
  const [typed] = await inWebview('form', { value: true, selector: field('name') });
  await vscode.commands.executeCommand('notifications.clearAll');
  return {
    said: /not known whether/i.test(outcome) ? 'not known' : 'not saved',
    draftKept: typed?.[0] === name,
  };
}

/** The open tabs, for a failure's message. */
function tabNames(): string {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .map((t) => `${t.label}${t.isActive ? ' (active)' : ''}`)
    .join(', ');
}

const named = (name: string) => (stored: PyAssessment[]) =>
  stored.filter((a) => a.assessment_name === name).length;

const PATHS: WritePath[] = [
  {
    name: 'quick feedback',
    method: 'POST',
    intended: 1,
    attempt: async (p) =>
      commandOutcome(
        await run('logFeedback', { traceId: p.traceId, name: 'verdict', value: true }),
      ),
    count: named('verdict'),
  },
  {
    name: 'quick expectation',
    method: 'POST',
    intended: 1,
    attempt: async (p) =>
      commandOutcome(
        await run('logExpectation', {
          traceId: p.traceId,
          name: 'truth',
          value: { city: 'Paris' },
        }),
      ),
    count: named('truth'),
  },
  {
    name: 'feedback form',
    method: 'POST',
    intended: 1,
    open: async (p) => {
      await run('openFeedbackForm', { traceId: p.traceId });
      await inWebview(
        'form',
        { waitFor: true, selector: field('name') },
        { fill: 'form_verdict', selector: field('name') },
      );
    },
    attempt: async () => {
      await inWebview('form', { click: true, selector: '[data-testid="submit"]' });
      return formOutcome('form_verdict');
    },
    count: named('form_verdict'),
  },
  {
    name: 'expectation form',
    method: 'POST',
    intended: 1,
    open: async (p) => {
      await run('openExpectationForm', { traceId: p.traceId });
      await inWebview(
        'form',
        { waitFor: true, selector: field('name') },
        { fill: 'form_truth', selector: field('name') },
        { fill: 'Paris', selector: field('valueText') },
      );
    },
    attempt: async () => {
      await inWebview('form', { click: true, selector: '[data-testid="submit"]' });
      return formOutcome('form_truth');
    },
    count: named('form_truth'),
  },
  {
    name: 'submit and next',
    method: 'POST',
    intended: 1,
    open: async (p) => {
      await run('openFeedbackForm', { traceId: p.traceId });
      await inWebview(
        'form',
        { waitFor: true, selector: field('name') },
        { fill: 'next_verdict', selector: field('name') },
      );
    },
    attempt: async () => {
      const [heading] = await inWebview('form', { text: true, selector: 'h1' });
      await inWebview('form', { click: true, selector: '[data-testid="submit-next"]' });
      // Saved, the same form shows the next trace; else it says why, over the same draft.
      const outcome = await waitFor('the next trace’s form, or why not', async () => {
        const [now, error] = await inWebview(
          'form',
          { text: true, selector: 'h1' },
          { text: true, selector: '[data-testid="server-error"]' },
        );
        if (now?.join('') !== heading?.join('')) return 'next';
        const text = error?.join('').trim() ?? '';
        return text || undefined;
      });
      if (outcome === 'next') return { said: 'saved', draftKept: true };
      const [typed] = await inWebview('form', { value: true, selector: field('name') });
      await vscode.commands.executeCommand('notifications.clearAll');
      return {
        said: /not known whether/i.test(outcome) ? 'not known' : 'not saved',
        draftKept: typed?.[0] === 'next_verdict',
      };
    },
    count: named('next_verdict'),
  },
  {
    name: 'JSON document',
    method: 'POST',
    intended: 1,
    armsItself: true,
    attempt: async (p, again, arm) => {
      const pending = run<unknown>('logExpectation', { traceId: p.traceId });
      if (again) {
        // What was typed comes back: the name, then the value as JSON, each taken with Enter.
        await keys({ waitForText: 'Log Expectation (1/3)' }, { press: 'Enter' });
        await keys({ waitForText: 'Log Expectation (2/3)' }, { press: 'Enter' });
        await keys({ waitForText: 'Log Expectation (3/3)' }, { press: 'Enter' });
        return commandOutcome(await pending);
      }
      await keys(
        { waitForText: 'Log Expectation (1/3)' },
        { type: 'json_truth' },
        { press: 'Enter' },
      );
      await keys(
        { waitForText: 'Log Expectation (2/3)' },
        { type: 'JSON document' },
        { press: 'Enter' },
      );
      const editor = await waitFor('the JSON document', () => {
        const active = vscode.window.activeTextEditor;
        return active?.document.fileName.includes(p.traceId) ? active : undefined;
      });
      await editor.edit((edit) => {
        edit.replace(
          new vscode.Range(0, 0, editor.document.lineCount, 0),
          JSON.stringify({ answer: 'Paris' }),
        );
      });
      await arm();
      await editor.document.save();
      return commandOutcome(await pending);
    },
    count: named('json_truth'),
  },
  {
    name: 'edit',
    method: 'PATCH',
    intended: 1,
    prepare: async (sdk, traceId) =>
      (
        await sdk.call<PyAssessment>('log_feedback', {
          trace_id: traceId,
          name: 'to_edit',
          value: 1,
        })
      ).assessment_id,
    attempt: async (p) =>
      commandOutcome(
        await run('editAssessment', {
          traceId: p.traceId,
          assessmentId: p.assessmentId,
          update: { rationale: 'edited once' },
        }),
      ),
    count: (stored) =>
      stored.filter((a) => a.assessment_name === 'to_edit' && a.rationale === 'edited once').length,
  },
  {
    name: 'override',
    method: 'POST',
    intended: 1,
    prepare: async (sdk, traceId) =>
      (
        await sdk.call<PyAssessment>('log_feedback', {
          trace_id: traceId,
          name: 'judged',
          value: false,
          source: { source_type: 'LLM_JUDGE', source_id: 'judge' },
        })
      ).assessment_id,
    attempt: async (p) =>
      commandOutcome(
        await run('overrideFeedback', {
          traceId: p.traceId,
          assessmentId: p.assessmentId,
          value: true,
        }),
      ),
    count: (stored, p) => stored.filter((a) => a.overrides === p.assessmentId).length,
  },
  {
    name: 'delete',
    method: 'DELETE',
    // What is left of the deleted one: none.
    intended: 0,
    prepare: async (sdk, traceId) =>
      (
        await sdk.call<PyAssessment>('log_feedback', {
          trace_id: traceId,
          name: 'to_delete',
          value: 1,
        })
      ).assessment_id,
    attempt: async (p) => {
      const deleted = await run<boolean | undefined>('deleteAssessment', {
        traceId: p.traceId,
        assessmentId: p.assessmentId,
        confirmed: true,
      });
      return deleted
        ? { said: 'saved', draftKept: true }
        : { said: await reported(), draftKept: true };
    },
    count: named('to_delete'),
  },
];

describe('every write under every fault', () => {
  let api: ExtensionApi;
  let sdk: PythonSdk;
  let proxy: FaultProxy;
  const table: Record<string, Record<string, Cell>> = {};

  before(async () => {
    api = await extensionApi();
    await showView();
    sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
    proxy = await FaultProxy.start(env('MLFLOW_TRACKING_URI'));
    await setSetting('requestTimeoutSeconds', TIMEOUT_S);
    await run('selectServer', proxy.url);
    await waitFor('connected through the proxy', () => api.connection.state.kind === 'connected');
  });

  after(async () => {
    printTable(table);
    proxy.set();
    await setSetting('requestTimeoutSeconds', undefined);
    await run('selectServer', env('MLFLOW_TRACKING_URI'));
    await waitFor('the seeded server again', () => api.connection.state.kind === 'connected');
    await proxy.close();
    sdk.close();
    await closeAllTabs();
  });

  for (const { name: faultName, fault, stop } of FAULTS) {
    it(`writes each path exactly once under ${faultName}`, async () => {
      for (const path of PATHS) {
        // Each its own request text, so that a form's heading tells the traces apart.
        const { trace_id: traceId } = await sdk.call<{ trace_id: string }>('create_trace', {
          experiment: 'Fault suite',
          input: `${path.name} under ${faultName}`,
        });
        const prepared: Prepared = {
          traceId,
          ...(path.prepare ? { assessmentId: await path.prepare(sdk, traceId) } : {}),
        };
        await path.open?.(prepared);
        const arm = async () => {
          if (fault) proxy.set({ match: /assessments/, method: path.method, fault, times: 1 });
          if (stop) await proxy.stop();
        };
        if (!path.armsItself) await arm();
        const first = await path.attempt(prepared, false, arm);
        proxy.set();
        if (stop) {
          await proxy.restart();
          await waitFor('the extension to see the server back', () =>
            api.connection.state.kind === 'connected' ? true : undefined,
          );
        }
        // Told it was not saved, the person sends it again (a form still holds the draft).
        if (first.said === 'not saved') {
          const again = await path.attempt(prepared, true, () => Promise.resolve());
          assert.equal(again.said, 'saved', `${path.name}: the second try`);
        }
        await closeAllTabs();
        const stored = path.count(
          await sdk.call<PyAssessment[]>('trace_assessments', { trace_id: traceId }),
          prepared,
        );
        (table[faultName] ??= {})[path.name] = {
          said: first.said,
          stored,
          intended: path.intended,
          draftLost: first.said !== 'saved' && !first.draftKept,
        };
      }
      for (const [pathName, cell] of Object.entries(table[faultName] ?? {})) {
        assert.equal(cell.stored, cell.intended, `${pathName} under ${faultName}: stored`);
        assert.equal(cell.draftLost, false, `${pathName} under ${faultName}: the draft was lost`);
        assert.notEqual(cell.said, 'not known', `${pathName}: the trace could be read back`);
      }
    });
  }
});

function printTable(table: Record<string, Record<string, Cell>>): void {
  const paths = PATHS.map((p) => p.name);
  const lines = [
    `fault \\ path → first try said / stored of intended / duplicates / lost drafts`,
    ['fault', ...paths].join(' | '),
  ];
  for (const [fault, cells] of Object.entries(table)) {
    const row = paths.map((p) => {
      const c = cells[p];
      if (!c) return '—';
      return `${c.said} ${c.stored}/${c.intended} dup ${Math.max(0, c.stored - c.intended)} lost ${c.draftLost ? 1 : 0}`;
    });
    lines.push([fault, ...row].join(' | '));
  }
  console.log(`[fault table]\n${lines.join('\n')}`);
}
