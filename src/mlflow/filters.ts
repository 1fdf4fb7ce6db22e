/**
 * Building MLflow search filter strings safely. MLflow strips a string literal's surrounding
 * quotes and does no unescaping, so a value is wrapped in whichever quote it does not contain;
 * keys with characters outside [A-Za-z0-9_] go in backticks (`metadata.\`mlflow.trace.user\``).
 */
import { MlflowInputError } from './errors';

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A string literal for a filter: 'text', or "text" when the text holds a single quote. */
export function quoteFilterValue(value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new MlflowInputError(
    'An MLflow filter cannot match a value that contains both a single and a double quote; use LIKE with a part of it.',
  );
}

/** A key after its prefix (`tag.`, `metadata.`, `feedback.`, ...), backticked when needed. */
export function quoteFilterKey(key: string): string {
  if (PLAIN_KEY.test(key)) return key;
  if (key.includes('`'))
    throw new MlflowInputError(`An MLflow filter key cannot contain a backtick: ${key}`);
  return `\`${key}\``;
}

export type FilterEntity = 'trace' | 'tag' | 'metadata' | 'span' | 'feedback' | 'expectation';
export type FilterComparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'RLIKE';

/** One comparison, e.g. `filterClause('feedback', 'is helpful', '=', 'true')`. */
export function filterClause(
  entity: FilterEntity,
  key: string,
  comparator: FilterComparator,
  value: string | number,
): string {
  const literal = typeof value === 'number' ? String(value) : quoteFilterValue(value);
  return `${entity}.${quoteFilterKey(key)} ${comparator} ${literal}`;
}

/** `entity.key IS NULL` / `IS NOT NULL`: for assessments, whether a valid one with that name exists. */
export function nullClause(entity: FilterEntity, key: string, isNull: boolean): string {
  return `${entity}.${quoteFilterKey(key)} IS ${isNull ? '' : 'NOT '}NULL`;
}

/** Joins clauses with AND (MLflow's filter grammar has no OR); empty parts are skipped. */
export function andFilters(...clauses: (string | undefined)[]): string {
  return clauses
    .map((c) => c?.trim())
    .filter((c): c is string => !!c)
    .join(' AND ');
}
