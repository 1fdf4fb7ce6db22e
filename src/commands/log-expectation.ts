/**
 * MLflow: Log Expectation (ground truth). The trace: the selected one, else a pick of the newest.
 * The value: text, number, boolean, JSON typed inline, the active editor's selection, or a JSON
 * document opened for editing (for large values; saving it logs the expectation).
 */
import * as vscode from 'vscode';
import type { Assessment, JsonValue, TraceId } from '../mlflow';
import type { CommandContext } from './context';
import { Cancelled } from '../util/cancelled';
import type { CommandArgs } from './args';
import { enterValue, pick, pickName, type StepInfo } from './prompts';
import { resolveTraceTarget } from './targets';
import { enterAnswer } from './answer-prompts';
import { checkAgainstQuestion } from './questions';
import { notify } from '../ui/notify';
import { plain, traceName, truncate } from '../shared/format';
import {
  EXPECTATION_VALUE_TYPES,
  parseJson,
  VALUE_TYPES,
  valueTypeOf,
  type ValueType,
} from '../shared/value-input';

interface ExpectationArgs {
  name?: string;
  value?: JsonValue;
}

type Source = ValueType | 'selection' | 'document';

export async function logExpectation(
  ctx: CommandContext,
  given: CommandArgs['logExpectation'],
): Promise<Assessment> {
  const title = 'Log Expectation';
  const { trace, spanId } = await resolveTraceTarget(ctx, given.target, { title });
  let { name, value } = given;
  const draftKey = `expectation:${trace.traceId}:${spanId ?? ''}`;
  // The experiment's questions of expectation type come first (none before MLflow 3.14).
  const questions = await ctx.questions.of(
    ctx.connection.client,
    trace.experimentId,
    'expectation',
  );
  if (name === undefined || value === undefined) {
    const draft = ctx.drafts.get(draftKey) as ExpectationArgs | undefined;
    const recent = ctx.store.recentAssessmentNames(trace.experimentId, 'expectation');
    const onTrace = trace.assessments.filter((a) => a.kind === 'expectation').map((a) => a.name);
    // Three steps, counted as the feedback flow counts them: name, kind of value, value.
    const step = {
      title,
      totalSteps: 3,
      subject: traceName(trace),
      author: ctx.connection.settings.reviewer,
    };
    name = await pickName(
      { ...step, step: 1 },
      [...recent, ...onTrace, 'expected_response', 'expected_facts'],
      draft?.name,
      questions,
    );
    const schema = questions.find((q) => q.name === name);
    value = schema
      ? await enterAnswer(
          { ...step, totalSteps: 2, step: 2 },
          schema,
          draft?.name === name ? draft.value : undefined,
        )
      : await enterExpectationValue(
          ctx,
          step,
          { trace: trace.traceId, spanId, name },
          draft?.value,
        );
    ctx.drafts.set(draftKey, { name, value });
  } else {
    checkAgainstQuestion(questions, name, value);
  }
  const expectation = await ctx.store.logExpectation({
    traceId: trace.traceId,
    name,
    value,
    ...(spanId ? { spanId } : {}),
    source: { sourceType: 'HUMAN', sourceId: ctx.connection.settings.reviewer },
  });
  ctx.drafts.delete(draftKey);
  notify(`$(check) Logged expectation "${plain(name)}"`);
  return expectation;
}

/** Which expectation a value is for: its trace, span and name. */
interface ValueTarget {
  trace: TraceId;
  spanId: string | undefined;
  name: string;
}

async function enterExpectationValue(
  ctx: CommandContext,
  step: StepInfo,
  target: ValueTarget,
  initial: JsonValue | undefined,
): Promise<JsonValue> {
  const selection = selectedText();
  // The kinds of value in the order and with the names the feedback flow and the forms use.
  const items: { label: string; detail: string; source: Source }[] = [
    ...EXPECTATION_VALUE_TYPES.map((type) => ({
      label: VALUE_TYPES[type].label,
      detail: VALUE_TYPES[type].detail,
      source: type,
    })),
    ...(selection
      ? [
          {
            label: 'The editor’s selection',
            detail: preview(selection),
            source: 'selection' as const,
          },
        ]
      : []),
    {
      label: 'Edit as a JSON document…',
      detail: 'for large values: save the document to log it',
      source: 'document',
    },
  ];
  const chosen = await pick({ ...step, step: 2 }, items, {
    placeHolder: 'Where does the value come from?',
    // The kind of the value being retried, else text.
    activeIndex: Math.max(
      0,
      items.findIndex(
        (i) => i.source === (initial === undefined ? 'string' : valueTypeOf(initial)),
      ),
    ),
  });
  switch (chosen.source) {
    case 'selection':
      return selectionValue(selection ?? '');
    case 'document':
      return editAsDocument(ctx, target);
    default:
      return enterValue(
        { ...step, step: 3 },
        chosen.source,
        initial === undefined || valueTypeOf(initial) === chosen.source ? initial : undefined,
      );
  }
}

function selectedText(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) return undefined;
  return editor.document.getText(editor.selection);
}

/** A selection that is JSON (in a .json file, or parsing as an object or list) counts as JSON. */
function selectionValue(text: string): JsonValue {
  const parsed = parseJson(text);
  const isStructured = parsed.ok && parsed.value !== null && typeof parsed.value === 'object';
  const inJsonFile =
    vscode.window.activeTextEditor?.document.languageId.startsWith('json') ?? false;
  return parsed.ok && (isStructured || inJsonFile) ? parsed.value : text;
}

/** The JSON documents waiting to be saved, by file: each belongs to one flow. */
const openDocuments = new Map<string, { cancel(): void }>();

/**
 * Opens a JSON document for the value and waits: saving it logs it (if it parses), closing it
 * cancels. The file lives in the extension's storage, one per trace, span and name (two flows
 * never share one), and survives a failed attempt. A second flow for the same file takes it
 * over: the first ends as cancelled, and no flow keeps its listeners once it has ended.
 */
async function editAsDocument(ctx: CommandContext, target: ValueTarget): Promise<JsonValue> {
  const folder = vscode.Uri.joinPath(ctx.extension.globalStorageUri, 'expectations');
  await vscode.workspace.fs.createDirectory(folder);
  const file = [target.trace, target.spanId, target.name.replace(/[^\w.-]+/g, '_')]
    .filter(Boolean)
    .join('-');
  const uri = vscode.Uri.joinPath(folder, `${file}.json`);
  const key = uri.toString();
  openDocuments.get(key)?.cancel();
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('{\n  \n}\n'));
  }
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { preview: false });
  void vscode.window.showInformationMessage(
    `Edit the value of "${plain(target.name)}" and save (Ctrl+S) to log it; close the editor to cancel.`,
  );
  return new Promise<JsonValue>((resolve, reject) => {
    const end = () => {
      for (const s of subscriptions) s.dispose();
      if (openDocuments.get(key) === flow) openDocuments.delete(key);
    };
    const flow = {
      cancel: () => {
        end();
        reject(new Cancelled());
      },
    };
    const subscriptions = [
      vscode.workspace.onDidSaveTextDocument((saved) => {
        if (saved.uri.toString() !== key) return;
        const parsed = parseJson(saved.getText());
        if (!parsed.ok) {
          // The parser quotes the document, which may hold pasted trace content.
          void vscode.window.showErrorMessage(`${plain(parsed.message)}. Fix it and save again.`);
          return;
        }
        end();
        resolve(parsed.value);
      }),
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        const closed = e.closed.some(
          (tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === key,
        );
        if (closed) flow.cancel();
      }),
    ];
    openDocuments.set(key, flow);
  });
}

function preview(text: string): string {
  return plain(truncate(text.replace(/\s+/g, ' ').trim(), 80));
}
