/**
 * JSON objects used as maps (metadata, tags), checked with zod on the wire and in the webview
 * protocols. Their keys are anyone's text, and zod's own record assigns each key onto a new `{}`:
 * a `__proto__` key sets the prototype there and is lost. Here `Object.fromEntries` keeps every
 * key as an own property.
 */
import * as z from './zod';
import type { JsonValue } from './types';

export function recordOf<T extends z.ZodMiniType>(value: T) {
  return z.pipe(
    z.pipe(
      z.transform((input: unknown) => (isObject(input) ? new Map(Object.entries(input)) : input)),
      z.map(z.string(), value, { error: 'Invalid input: expected record' }),
    ),
    z.transform((map): Record<string, z.output<T>> => Object.fromEntries(map)),
  );
}

/**
 * Any JSON value, with every object's keys kept (zod's own `z.json()` drops a `__proto__` key,
 * as its record does). Callers cut values to a safe depth first (json-depth.ts): this recurses.
 */
export const jsonValue: z.ZodMiniType<JsonValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(jsonValue), recordOf(jsonValue)]),
);

function isObject(input: unknown): input is object {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}
