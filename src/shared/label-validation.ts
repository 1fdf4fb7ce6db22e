/**
 * Whether an answer fits a question (an MLflow label schema's input), for the extension host and
 * the webviews alike. MLflow's server stores any value under a schema's name (it never checks
 * assessments against schemas), so this is where answers are checked. An answer that does not
 * fit is refused with a message that says why and what would fit; nothing is ever clamped,
 * rounded, trimmed or otherwise changed into something that fits.
 *
 * Values are what MLflow's own Review tab logs: a boolean for pass/fail (true = the positive
 * label), an option (a string) or a list of options for categorical, a number, a string.
 */
import type { LabelInput } from '../mlflow/review-types';

export type LabelAnswer = boolean | number | string | string[];

export type LabelCheck = { ok: true; value: LabelAnswer } | { ok: false; message: string };

/** Checks `value` against the question's input. */
export function checkLabelAnswer(input: LabelInput, value: unknown): LabelCheck {
  switch (input.type) {
    case 'passFail':
      return typeof value === 'boolean'
        ? { ok: true, value }
        : fail(
            `Answer "${input.positiveLabel}" or "${input.negativeLabel}"; got ${describe(value)}.`,
          );
    case 'categorical':
      return input.multiSelect ? checkMany(input.options, value) : checkOne(input.options, value);
    case 'numeric':
      return checkNumber(input.minValue, input.maxValue, value);
    case 'text':
      return checkText(input.maxLength, value);
    case 'unsupported':
      return fail(
        `This question's kind of answer ("${input.variant}") is not supported by this version of the extension: answer it in MLflow's web UI.`,
      );
  }
}

/**
 * A number as typed: decimal notation only ("4", "-0.5", "1e3"), surrounding spaces allowed.
 * Anything else ("4,5", "four", "", "0x10", "Infinity") is refused, not guessed at.
 */
export function parseNumberAnswer(text: string): LabelCheck {
  const trimmed = text.trim();
  if (trimmed === '') return fail('Type a number.');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed))
    return fail(`"${shorten(trimmed)}" is not a number: type digits, with "." for decimals.`);
  const value = Number(trimmed);
  return Number.isFinite(value) ? { ok: true, value } : fail(`"${shorten(trimmed)}" is too large.`);
}

/** Characters as a person counts them (and as Python's len does): code points, not UTF-16 units. */
export function textLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function checkOne(options: string[], value: unknown): LabelCheck {
  if (typeof value !== 'string')
    return fail(`Pick one of: ${list(options)}; got ${describe(value)}.`);
  if (!options.includes(value))
    return fail(
      `"${shorten(value)}" is not one of the options (${list(options)}): the question may have changed. Pick one of them.`,
    );
  return { ok: true, value };
}

function checkMany(options: string[], value: unknown): LabelCheck {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    return fail(`Pick one or more of: ${list(options)}; got ${describe(value)}.`);
  const picked = value as string[];
  if (picked.length === 0) return fail(`Pick at least one of: ${list(options)}.`);
  const unknown = picked.filter((v) => !options.includes(v));
  if (unknown.length > 0)
    return fail(
      `${unknown.map((v) => `"${shorten(v)}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among the options (${list(options)}): the question may have changed. Pick among them.`,
    );
  const repeated = picked.find((v, i) => picked.indexOf(v) !== i);
  if (repeated !== undefined) return fail(`"${shorten(repeated)}" is picked twice.`);
  return { ok: true, value: picked };
}

function checkNumber(min: number | undefined, max: number | undefined, value: unknown): LabelCheck {
  const range =
    min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` of at least ${min}`
        : max !== undefined
          ? ` of at most ${max}`
          : '';
  if (typeof value !== 'number') return fail(`Give a number${range}; got ${describe(value)}.`);
  if (!Number.isFinite(value)) return fail(`Give a finite number${range}; got ${String(value)}.`);
  if (min !== undefined && value < min)
    return fail(`${value} is below the minimum of ${min}: give a number${range}.`);
  if (max !== undefined && value > max)
    return fail(`${value} is above the maximum of ${max}: give a number${range}.`);
  return { ok: true, value };
}

function checkText(maxLength: number | undefined, value: unknown): LabelCheck {
  if (typeof value !== 'string') return fail(`Type a text answer; got ${describe(value)}.`);
  if (value.trim() === '') return fail('The answer is empty: type some text.');
  const length = textLength(value);
  if (maxLength !== undefined && length > maxLength)
    return fail(
      `The answer has ${length} characters, ${length - maxLength} more than the limit of ${maxLength}: shorten it.`,
    );
  return { ok: true, value };
}

function fail(message: string): LabelCheck {
  return { ok: false, message };
}

function describe(value: unknown): string {
  if (value === undefined) return 'no answer';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text "${shorten(value)}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return `${typeof value} ${String(value)}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

function list(options: string[]): string {
  return options.map((o) => `"${o}"`).join(', ');
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
