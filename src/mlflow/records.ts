/**
 * JSON objects used as maps (metadata, tags), checked with zod on the wire and in the webview
 * protocols. Their keys are anyone's text, and zod's own record assigns each key onto a new `{}`:
 * a `__proto__` key sets the prototype there and is lost. Here `Object.fromEntries` keeps every
 * key as an own property.
 */
import { z } from 'zod';

export function recordOf<T extends z.ZodType>(value: T) {
  return z
    .preprocess(
      (input) => (isObject(input) ? new Map(Object.entries(input)) : input),
      z.map(z.string(), value, { error: 'Invalid input: expected record' }),
    )
    .transform((map): Record<string, z.output<T>> => Object.fromEntries(map));
}

function isObject(input: unknown): input is object {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}
