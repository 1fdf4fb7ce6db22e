/**
 * JSON nested thousands of levels deep (a hostile server, a runaway serializer) overflows the
 * stack of anything that walks it recursively: zod, the renderers, structured logging. Values
 * from the server are measured without recursion, and cut to a depth every consumer can walk.
 */
import { MlflowResponseError } from './errors';
import type { JsonValue } from './types';

/** Deeper than any real trace; shallow enough for every recursive walk downstream. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether `value` nests deeper than `max` levels, found without recursion. Every value of every
 * response passes here, so it keeps no tuples and visits only objects and arrays.
 */
export function deeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const items: object[] = [value];
  const depths: number[] = [1];
  while (items.length > 0) {
    const item = items.pop() as object;
    const depth = depths.pop() as number;
    if (depth > max) return true;
    const children: unknown[] = Array.isArray(item) ? item : Object.values(item);
    for (const child of children) {
      if (child === null || typeof child !== 'object') continue;
      items.push(child);
      depths.push(depth + 1);
    }
  }
  return false;
}

/**
 * The value with every part nested deeper than `max` levels replaced by its JSON text (cut to
 * 2 000 characters), so that it still shows, as text. Recurses at most `max` levels.
 */
export function limitDepth(value: JsonValue, max = MAX_JSON_DEPTH): JsonValue {
  if (!deeperThan(value, max)) return value;
  return cut(value, max);
}

function cut(value: JsonValue, levelsLeft: number): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (levelsLeft === 0) {
    const text = jsonText(value);
    return `(nested more than ${MAX_JSON_DEPTH} levels deep) ${text.length > 2000 ? `${text.slice(0, 2000)}…` : text}`;
  }
  if (Array.isArray(value)) return value.map((item) => cut(item, levelsLeft - 1));
  const result: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value))
    Object.defineProperty(result, key, {
      value: cut(item, levelsLeft - 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return result;
}

/** JSON.stringify recurses too: a value nested deeper than its stack allows shows as "…". */
function jsonText(value: JsonValue): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '…';
  }
}

/** A response body nested deeper than any MLflow answer: refused before schemas walk it. */
export function refuseDeepJson(body: unknown, url: string): void {
  if (deeperThan(body, MAX_WIRE_DEPTH))
    throw new MlflowResponseError(url, '', `it is nested more than ${MAX_WIRE_DEPTH} levels deep`);
}

/** MLflow's protobuf answers nest at most about 100 levels (protobuf's own limit). */
export const MAX_WIRE_DEPTH = 200;
