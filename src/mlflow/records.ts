/**
 * JSON objects used as maps (metadata, tags), checked with zod on the wire and in the webview
 * protocols. Their keys are anyone's text, and zod's own record assigns each key onto a new `{}`:
 * a `__proto__` key sets the prototype there and is lost. Here every key is defined as an own
 * property.
 */
import * as z from './zod';
import type { JsonValue } from './types';

/**
 * An object whose every value passes `value`. A bad value is reported at its key (`tags.env:
 * expected string`). Checked in one pass, without the Map round trip of zod's own `z.map`: trace
 * infos carry a few maps each and a page holds hundreds of them, a span several. `accepts`, when
 * given, says cheaply that a value passes `value` as it is; only the others go through zod.
 */
export function recordOf<T extends z.ZodMiniType>(
  value: T,
  accepts?: (item: unknown) => item is z.output<T>,
) {
  return z.pipe(
    z.custom<Record<string, unknown>>(isObject, { error: 'Invalid input: expected record' }),
    z.transform((input, ctx): Record<string, z.output<T>> => {
      const out: Record<string, z.output<T>> = {};
      for (const key of Object.keys(input)) {
        if (accepts?.(input[key])) {
          defineOwn(out, key, input[key]);
          continue;
        }
        const result = value.safeParse(input[key]);
        if (result.success) defineOwn(out, key, result.data);
        else
          for (const issue of result.error.issues)
            ctx.issues.push({
              code: 'custom',
              message: issue.message,
              path: [key, ...issue.path],
              input: input[key],
            });
      }
      return out;
    }),
  );
}

/**
 * Any JSON value, with every object's keys kept (zod's own `z.json()` drops a `__proto__` key,
 * as its record does). Callers cut values to a safe depth first (json-depth.ts): this recurses.
 */
export const jsonValue: z.ZodMiniType<JsonValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(jsonValue), recordOf(jsonValue)]),
);

/**
 * A value of a server's answer that its JSON.parse made: JSON by construction (and measured for
 * depth before any schema sees it, json-depth.ts), so walking it again would only cost time on
 * multi-megabyte span inputs. Values from anywhere else go through `jsonValue`.
 */
export const parsedJson = z.custom<JsonValue>(isParsedJson);

/** Metadata, tags and other maps of text. */
export const stringRecord = () => recordOf(z.string(), isString);

/** A map of values from a server's JSON (span attributes). */
export const parsedJsonRecord = () => recordOf(parsedJson, isParsedJson);

function isString(input: unknown): input is string {
  return typeof input === 'string';
}

function isParsedJson(input: unknown): input is JsonValue {
  return input !== undefined;
}

/** A JSON object (not null, not an array). */
export function isObject(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

/** Sets `target[key]`, a `__proto__` key included (as an own property, not the prototype). */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // Only `__proto__` is an accessor on a plain object: every other key is assigned as it is,
  // which is several times as fast (every trace info carries a few maps).
  if (key !== '__proto__') {
    target[key] = value;
    return;
  }
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
