/**
 * The small prompts the quick flows are made of. Each throws `Cancelled` when the person presses
 * Escape, so a flow reads top to bottom without checks for undefined at every step.
 */
import * as vscode from 'vscode';
import type { FeedbackValue, JsonValue, LabelSchema } from '../mlflow';
import { plain } from '../shared/format';
import { describeQuestion } from '../shared/question-rules';
import { Cancelled } from '../util/cancelled';
import {
  acceptedName,
  describeBadName,
  formatForInput,
  parseFeedbackValue,
  parseMetadata,
  parseValue,
  VALUE_TYPES,
  type Parsed,
  type ValueType,
} from '../shared/value-input';

export interface StepInfo {
  title: string;
  step?: number;
  totalSteps?: number;
  /** What the flow acts on (a trace's name), shown in the title so it is never a guess. */
  subject?: string;
  /** Who what the flow writes is attributed to (the reviewer identity), shown before it is. */
  author?: string;
}

export async function input(
  info: StepInfo,
  options: {
    prompt: string;
    value?: string;
    placeHolder?: string;
    password?: boolean;
    validate?: (text: string) => string | undefined;
  },
): Promise<string> {
  const text = await vscode.window.showInputBox({
    title: stepTitle(info),
    prompt: options.prompt,
    value: options.value ?? '',
    placeHolder: options.placeHolder ?? '',
    password: options.password ?? false,
    ignoreFocusOut: true,
    validateInput: options.validate,
  });
  if (text === undefined) throw new Cancelled();
  return text;
}

/**
 * Text that something slow must accept (a filter the server parses): Enter runs `check` with the
 * box busy, and its verdict shows in the box, under what was typed, until the text changes. The
 * box closes only with accepted text.
 */
export function inputChecked(
  info: StepInfo,
  options: { prompt: string; value?: string; placeHolder?: string },
  check: (text: string) => Promise<string | undefined>,
): Promise<string> {
  const box = vscode.window.createInputBox();
  box.title = stepTitle(info);
  box.prompt = options.prompt;
  box.value = options.value ?? '';
  box.placeholder = options.placeHolder ?? '';
  box.ignoreFocusOut = true;
  return new Promise<string>((resolve, reject) => {
    let done = false;
    box.onDidChangeValue(() => {
      box.validationMessage = undefined;
    });
    box.onDidAccept(async () => {
      if (box.busy) return;
      const text = box.value;
      box.busy = true;
      box.enabled = false;
      try {
        const problem = await check(text);
        if (problem === undefined) {
          done = true;
          resolve(text);
          box.dispose();
          return;
        }
        box.validationMessage = {
          // Often the server's own words.
          message: plain(problem),
          severity: vscode.InputBoxValidationSeverity.Error,
        };
      } catch (error) {
        done = true;
        reject(error instanceof Error ? error : new Error(String(error)));
        box.dispose();
      } finally {
        box.busy = false;
        box.enabled = true;
      }
    });
    box.onDidHide(() => {
      if (!done) reject(new Cancelled());
      box.dispose();
    });
    box.show();
  });
}

export async function pick<T extends vscode.QuickPickItem>(
  info: StepInfo,
  items: T[],
  options: {
    placeHolder: string;
    activeIndex?: number;
    /** What Enter means when the typed text matches no row (e.g. a pasted id); else nothing. */
    typed?: (text: string) => T | undefined;
  } = { placeHolder: '' },
): Promise<T> {
  const quickPick = vscode.window.createQuickPick<T>();
  quickPick.title = stepTitle(info);
  quickPick.placeholder = options.placeHolder;
  quickPick.items = items;
  quickPick.ignoreFocusOut = true;
  quickPick.matchOnDescription = true;
  // Traces are found by their request (the detail line) as often as by their name.
  quickPick.matchOnDetail = true;
  const active = items[options.activeIndex ?? 0];
  if (active) quickPick.activeItems = [active];
  return runQuickPick(quickPick, () => acceptedRow(quickPick, active, options.typed));
}

/**
 * The row Enter takes. Nothing typed: the highlighted row, or the one we highlighted (Enter can
 * arrive before it has synced back). Something typed: the highlighted match; when nothing
 * matches, only what `typed` makes of the text, else nothing (the picker stays open): never the
 * first row of a list the person filtered away.
 */
export function acceptedRow<T extends vscode.QuickPickItem>(
  quickPick: vscode.QuickPick<T>,
  initiallyActive: T | undefined,
  typed?: (text: string) => T | undefined,
): T | undefined {
  const chosen = quickPick.selectedItems[0] ?? quickPick.activeItems[0];
  const text = quickPick.value.trim();
  if (!text) return chosen ?? initiallyActive;
  return chosen ?? typed?.(text);
}

/** Shows a quick pick until `accept` gives a result for Enter; Escape rejects with Cancelled. */
export function runQuickPick<T extends vscode.QuickPickItem, R>(
  quickPick: vscode.QuickPick<T>,
  accept: () => R | undefined,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let done = false;
    quickPick.onDidAccept(() => {
      const result = accept();
      if (result === undefined) return;
      done = true;
      resolve(result);
      quickPick.dispose();
    });
    quickPick.onDidHide(() => {
      if (!done) reject(new Cancelled());
      quickPick.dispose();
    });
    quickPick.show();
  });
}

/** Several rows (Space ticks, Enter accepts); `atLeastOne` keeps the picker open on none. */
export function pickMany<T extends vscode.QuickPickItem>(
  info: StepInfo,
  items: T[],
  options: { placeHolder: string; picked?: T[]; atLeastOne?: string },
): Promise<T[]> {
  const quickPick = vscode.window.createQuickPick<T>();
  quickPick.title = stepTitle(info);
  quickPick.placeholder = options.placeHolder;
  quickPick.canSelectMany = true;
  quickPick.ignoreFocusOut = true;
  quickPick.matchOnDescription = true;
  quickPick.items = items;
  if (options.picked) quickPick.selectedItems = options.picked;
  return runQuickPick(quickPick, () => {
    const chosen = [...quickPick.selectedItems];
    if (chosen.length === 0 && options.atLeastOne) {
      quickPick.placeholder = options.atLeastOne;
      return undefined;
    }
    return chosen;
  });
}

/**
 * A name: the suggestions first (recent names, names already on the trace), or anything typed.
 * Typing a new name adds it as the first row, so Enter takes what was typed.
 */
export async function pickName(
  info: StepInfo,
  suggestions: string[],
  initial?: string,
  /** The experiment's questions (label schemas), offered first with what they take. */
  questions: LabelSchema[] = [],
): Promise<string> {
  const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem & { name: string }>();
  quickPick.title = stepTitle(info);
  quickPick.placeholder =
    questions.length > 0
      ? "Choose one of the experiment's questions or a name, or type a new one"
      : suggestions.length > 0
        ? 'Choose a name or type a new one'
        : 'Type a name, e.g. correctness';
  quickPick.ignoreFocusOut = true;
  const asked = new Set(questions.map((q) => q.name));
  // Suggestions are names found on traces: shown plain, taken as they are.
  const suggested = [
    ...questions.map((q) => ({
      label: `$(question) ${plain(q.name)}`,
      description: describeQuestion(q),
      ...(q.instruction ? { detail: plain(q.instruction) } : {}),
      name: q.name,
    })),
    ...(questions.length > 0
      ? [{ label: 'Other names', kind: vscode.QuickPickItemKind.Separator, name: '' }]
      : []),
    ...unique(suggestions)
      .filter((name) => !asked.has(name))
      .map((name) => ({ label: plain(name), name })),
  ];
  const update = () => {
    const typed = quickPick.value.trim();
    const problem = typed ? describeBadName(typed) : undefined;
    const exists = typed !== '' && suggested.some((s) => s.name === typed);
    quickPick.items =
      typed && !exists
        ? [
            {
              label: plain(typed),
              name: typed,
              description: problem ?? 'new name',
              alwaysShow: true,
            },
            ...suggested,
          ]
        : suggested;
  };
  quickPick.value = initial ?? '';
  update();
  quickPick.onDidChangeValue(update);
  return runQuickPick(quickPick, () => {
    const chosen = acceptedName(
      quickPick.value,
      quickPick.activeItems[0]?.name,
      suggested.map((s) => s.name).filter((n) => n !== ''),
    );
    // A bad name is not taken; the typed row's description already says what is wrong.
    return describeBadName(chosen) ? undefined : chosen;
  });
}

export async function pickValueType(
  info: StepInfo,
  allowed: readonly ValueType[],
  preselect?: ValueType,
): Promise<ValueType> {
  const items = allowed.map((type) => ({
    label: VALUE_TYPES[type].label,
    detail: VALUE_TYPES[type].detail,
    type,
  }));
  const chosen = await pick(info, items, {
    placeHolder: 'What kind of value?',
    activeIndex: Math.max(0, allowed.indexOf(preselect ?? allowed[0] ?? 'string')),
  });
  return chosen.type;
}

/** The value itself; pass/fail is a two-row pick, everything else a validated input box. */
export async function enterValue(
  info: StepInfo,
  type: ValueType,
  initial?: JsonValue,
): Promise<JsonValue> {
  return enterParsed(info, type, initial, parseValue);
}

export async function enterFeedbackValue(
  info: StepInfo,
  type: ValueType,
  initial?: JsonValue,
): Promise<FeedbackValue> {
  return enterParsed(info, type, initial, parseFeedbackValue);
}

async function enterParsed<T extends JsonValue>(
  info: StepInfo,
  type: ValueType,
  initial: JsonValue | undefined,
  parse: (type: ValueType, text: string) => Parsed<T>,
): Promise<T> {
  if (type === 'boolean') {
    const items = [
      { label: '$(pass) Pass', description: 'true', value: true },
      { label: '$(error) Fail', description: 'false', value: false },
    ];
    const chosen = await pick(info, items, {
      placeHolder: 'Pass or fail?',
      activeIndex: initial === false ? 1 : 0,
    });
    return chosen.value as T;
  }
  const text = await input(info, {
    prompt: `${VALUE_TYPES[type].label}: ${VALUE_TYPES[type].detail}`,
    ...(initial !== undefined ? { value: formatForInput(type, initial) } : {}),
    validate: (t) => {
      const parsed = parse(type, t);
      return parsed.ok ? undefined : parsed.message;
    },
  });
  const parsed = parse(type, text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

export async function enterRationale(
  info: StepInfo,
  initial?: string,
): Promise<string | undefined> {
  const text = await input(info, {
    prompt: 'Why? (optional: press Enter to skip)',
    placeHolder: 'The rationale, e.g. "cites the wrong document"',
    ...(initial !== undefined ? { value: initial } : {}),
  });
  return text.trim() === '' ? undefined : text;
}

export async function enterMetadata(
  info: StepInfo,
  initial?: Record<string, JsonValue>,
): Promise<Record<string, JsonValue>> {
  const text = await input(info, {
    prompt: 'Metadata as a JSON object (keys are added or changed; values are stored as text)',
    placeHolder: '{"ticket": "ABC-1"}',
    ...(initial ? { value: JSON.stringify(initial) } : {}),
    validate: (t) => {
      const parsed = parseMetadata(t);
      return parsed.ok ? undefined : parsed.message;
    },
  });
  const parsed = parseMetadata(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

function stepTitle(info: StepInfo): string {
  const steps = info.step && info.totalSteps ? ` (${info.step}/${info.totalSteps})` : '';
  const subject = info.subject ? ` · ${plain(info.subject)}` : '';
  return `${info.title}${steps}${subject}${info.author ? ` · as ${plain(info.author)}` : ''}`;
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
