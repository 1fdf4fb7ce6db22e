/**
 * Turning what a person types into assessment values, with an honest message when it does not
 * fit the chosen type (never a silent conversion). Pure: unit-tested in plain Node.
 */
import type { FeedbackValue, JsonValue } from '../mlflow';
import { deeperThan, MAX_JSON_DEPTH } from '../mlflow/json-depth';
import { errorMessage } from '../util/error-message';
import { truncate } from './format';

/** The kinds of value a person can enter, defined once for the quick flows, forms and protocol. */
export const VALUE_TYPE_NAMES = ['boolean', 'number', 'string', 'labels', 'json'] as const;
export type ValueType = (typeof VALUE_TYPE_NAMES)[number];

export const VALUE_TYPES: Record<ValueType, { label: string; detail: string }> = {
  boolean: { label: 'Pass / fail', detail: 'true or false' },
  number: { label: 'Number', detail: 'a score such as 4 or 0.75' },
  string: { label: 'Text', detail: 'a label or a short answer' },
  labels: { label: 'List of labels', detail: 'comma-separated, e.g. "tone, accuracy"' },
  json: { label: 'JSON', detail: 'any JSON value: an object, a list, ...' },
};

/** Feedback takes every kind; in the order the pickers show them. */
export const FEEDBACK_VALUE_TYPES: readonly ValueType[] = VALUE_TYPE_NAMES;
/** Expectations: a list is entered as JSON (a list of labels is feedback's idiom). */
export const EXPECTATION_VALUE_TYPES: readonly ValueType[] = [
  'string',
  'number',
  'boolean',
  'json',
];

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export function parseValue(type: ValueType, text: string): Parsed<JsonValue> {
  const trimmed = text.trim();
  switch (type) {
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (['true', 'pass', 'yes', 'y', '1'].includes(lower)) return { ok: true, value: true };
      if (['false', 'fail', 'no', 'n', '0'].includes(lower)) return { ok: true, value: false };
      return { ok: false, message: 'Enter true or false (pass/fail, yes/no)' };
    }
    case 'number':
      if (!NUMBER.test(trimmed))
        return { ok: false, message: `"${truncate(trimmed, 40)}" is not a number` };
      if (!Number.isFinite(Number(trimmed)))
        return { ok: false, message: 'The number is too large' };
      return { ok: true, value: Number(trimmed) };
    case 'string':
      return trimmed === '' ? { ok: false, message: 'Enter some text' } : { ok: true, value: text };
    case 'labels': {
      const labels = trimmed
        .split(',')
        .map((l) => l.trim())
        .filter(Boolean);
      return labels.length === 0
        ? { ok: false, message: 'Enter at least one label' }
        : { ok: true, value: labels };
    }
    case 'json':
      return parseJson(trimmed);
  }
}

/** A feedback value cannot be null: null is how MLflow marks a feedback that holds an error. */
export function parseFeedbackValue(type: ValueType, text: string): Parsed<FeedbackValue> {
  const parsed = parseValue(type, text);
  if (parsed.ok && parsed.value === null) {
    return { ok: false, message: 'A feedback value cannot be null' };
  }
  return parsed as Parsed<FeedbackValue>;
}

export function parseJson(text: string): Parsed<JsonValue> {
  if (text.trim() === '') return { ok: false, message: 'Enter a JSON value' };
  try {
    const value = JSON.parse(text) as JsonValue;
    // Checks and encoders downstream walk values recursively: refuse what they cannot walk.
    if (deeperThan(value, MAX_JSON_DEPTH))
      return { ok: false, message: `Nested more than ${MAX_JSON_DEPTH} levels deep` };
    return { ok: true, value };
  } catch (error) {
    const reason = errorMessage(error);
    return { ok: false, message: `Not valid JSON: ${reason}` };
  }
}

/** Metadata as typed: a JSON object whose values are stored as text. */
export function parseMetadata(text: string): Parsed<Record<string, JsonValue>> {
  if (text.trim() === '') return { ok: true, value: {} };
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, message: 'Metadata must be a JSON object, e.g. {"ticket": "ABC-1"}' };
  }
  return { ok: true, value };
}

/** The type a value would be entered as, to preselect it when editing. */
export function valueTypeOf(value: JsonValue): ValueType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' && !v.includes(',')))
    return 'labels';
  return 'json';
}

/** The text that, parsed as `type`, gives `value` back (for prefilled inputs). */
export function formatForInput(type: ValueType, value: JsonValue): string {
  if (type === 'labels' && Array.isArray(value)) {
    return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  }
  if (type === 'string' && typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Why a name is not usable, or undefined. MLflow limits names to 250 characters. */
export function describeBadName(name: string): string | undefined {
  if (name.trim() === '') return 'Enter a name';
  if (name.length > 250) return `Names are at most 250 characters (this one has ${name.length})`;
  return undefined;
}

/**
 * What Enter means in the name picker. The typed text wins when it is a name in full (new, or
 * one of the suggestions); otherwise the highlighted suggestion, if it fits what was typed.
 * (The picker's active row can lag behind fast typing, so it is not trusted on its own.)
 */
export function acceptedName(
  typed: string,
  active: string | undefined,
  suggestions: string[],
): string {
  const text = typed.trim();
  if (!text) return active ?? '';
  if (suggestions.includes(text)) return text;
  if (active?.toLowerCase().includes(text.toLowerCase()) && active !== text) return active;
  return text;
}
