/**
 * The rules MLflow 3.18's server applies to a question (label schema) and a custom queue
 * (`mlflow/genai/label_schemas/validation.py`, `mlflow/genai/review_queues/validation.py`),
 * checked as the person types so that a mistake is said before anything is sent, and what each
 * kind of answer looks like in one line (quick picks, the trace panel). No `vscode`, no DOM.
 */
import type { LabelInput, LabelSchema } from '../mlflow/review-types';
import { parseNumberAnswer, textLength } from './label-validation';

export const MAX_QUESTION_NAME = 250;
export const MAX_INSTRUCTION = 1000;
export const MAX_LABEL = 64;
export const MAX_OPTIONS = 10;
export const MAX_QUEUE_NAME = 250;
export const MAX_QUEUE_USERS = 10;

/** A question's name: 1–250 characters; "Feedback" is the experiment's default question's. */
export function questionNameProblem(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return 'Type a name: it is also the name of the assessments that answer it.';
  if (textLength(trimmed) > MAX_QUESTION_NAME)
    return `A question's name has at most ${MAX_QUESTION_NAME} characters (this one has ${textLength(trimmed)}).`;
  if (trimmed.toLowerCase() === 'feedback')
    return '"Feedback" is the name of the experiment\'s default question: choose another.';
  return undefined;
}

/** A pass/fail label: 1–64 characters, and not the other label. */
export function labelProblem(label: string, other?: string): string | undefined {
  const trimmed = label.trim();
  if (trimmed === '') return 'Type a label, e.g. "Pass".';
  if (textLength(trimmed) > MAX_LABEL)
    return `A label has at most ${MAX_LABEL} characters (this one has ${textLength(trimmed)}).`;
  if (other !== undefined && trimmed === other.trim())
    return `The two labels must differ: "${other.trim()}" is the positive label.`;
  return undefined;
}

/** Options typed as a comma-separated list: 1–10, each 1–64 characters, none twice. */
export function parseOptions(
  text: string,
): { ok: true; options: string[] } | { ok: false; message: string } {
  const options = text.split(',').map((o) => o.trim());
  if (options.every((o) => o === ''))
    return { ok: false, message: 'Type the options, separated by commas.' };
  if (options.some((o) => o === ''))
    return { ok: false, message: 'An option is empty: remove the extra comma.' };
  if (options.length > MAX_OPTIONS)
    return {
      ok: false,
      message: `A question has at most ${MAX_OPTIONS} options; ${options.length} were typed.`,
    };
  const long = options.find((o) => textLength(o) > MAX_LABEL);
  if (long !== undefined)
    return {
      ok: false,
      message: `An option has at most ${MAX_LABEL} characters: "${long.slice(0, 40)}…" is longer.`,
    };
  const twice = options.find((o, i) => options.indexOf(o) !== i);
  if (twice !== undefined) return { ok: false, message: `"${twice}" is typed twice.` };
  return { ok: true, options };
}

/** An optional bound: empty means none. */
export function parseBound(
  text: string,
): { ok: true; value: number | undefined } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: undefined };
  const parsed = parseNumberAnswer(text);
  if (!parsed.ok || typeof parsed.value !== 'number')
    return { ok: false, message: parsed.ok ? 'Type a number.' : parsed.message };
  return { ok: true, value: parsed.value };
}

/** The server wants min < max when both are set. */
export function boundsProblem(
  min: number | undefined,
  max: number | undefined,
): string | undefined {
  return min !== undefined && max !== undefined && !(min < max)
    ? `The maximum must be above the minimum (${min}).`
    : undefined;
}

/** An optional maximum length: empty means none, else a whole number of at least 1. */
export function parseMaxLength(
  text: string,
): { ok: true; value: number | undefined } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: undefined };
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1)
    return { ok: false, message: 'Type a whole number of at least 1, or nothing for no limit.' };
  return { ok: true, value: Number(trimmed) };
}

export function instructionProblem(text: string): string | undefined {
  return textLength(text) > MAX_INSTRUCTION
    ? `An instruction has at most ${MAX_INSTRUCTION} characters (this one has ${textLength(text)}).`
    : undefined;
}

/** A custom queue's name: 1–250 characters, not "default" (MLflow's catch-all queue). */
export function queueNameProblem(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return 'Type a name for the queue.';
  if (textLength(trimmed) > MAX_QUEUE_NAME)
    return `A queue's name has at most ${MAX_QUEUE_NAME} characters (this one has ${textLength(trimmed)}).`;
  if (trimmed.toLowerCase() === 'default')
    return '"default" is MLflow\'s catch-all queue on a server without authentication: choose another name.';
  return undefined;
}

/**
 * The reviewers typed as a comma-separated list, with `creator` always among them (as MLflow's
 * UI makes a queue: its creator reviews it too), compared as the server does (lowercased,
 * trimmed), at most 10.
 */
export function parseQueueUsers(
  text: string,
  creator: string,
): { ok: true; users: string[] } | { ok: false; message: string } {
  const typed = text
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  const users: string[] = [];
  for (const user of [creator.trim(), ...typed])
    if (!users.some((u) => u.toLowerCase() === user.toLowerCase())) users.push(user);
  if (users.length > MAX_QUEUE_USERS)
    return {
      ok: false,
      message: `A queue has at most ${MAX_QUEUE_USERS} reviewers, you (${creator}) included; ${users.length} were given.`,
    };
  const long = users.find((u) => textLength(u) > 250);
  if (long !== undefined) return { ok: false, message: `A user name has at most 250 characters.` };
  return { ok: true, users };
}

/** What a question takes, in one line: "Pass/fail: Correct or Incorrect", "Number from 1 to 5". */
export function describeLabelInput(input: LabelInput): string {
  switch (input.type) {
    case 'passFail':
      return `Pass/fail: ${input.positiveLabel} or ${input.negativeLabel}`;
    case 'categorical':
      return `${input.multiSelect ? 'One or more of' : 'One of'}: ${input.options.join(', ')}`;
    case 'numeric':
      return input.minValue !== undefined && input.maxValue !== undefined
        ? `Number from ${input.minValue} to ${input.maxValue}`
        : input.minValue !== undefined
          ? `Number of at least ${input.minValue}`
          : input.maxValue !== undefined
            ? `Number of at most ${input.maxValue}`
            : 'Number';
    case 'text':
      return input.maxLength !== undefined
        ? `Text of at most ${input.maxLength} characters`
        : 'Text';
    case 'unsupported':
      return `Not supported here (${input.variant})`;
  }
}

/** A question's line in a quick pick's description: its kind of answer, and feedback or expectation. */
export function describeQuestion(schema: LabelSchema): string {
  return `${describeLabelInput(schema.input)} · ${schema.kind}${schema.isDefault ? ' · default question' : ''}`;
}
