/**
 * Finds the traced code in a Python file's syntax tree (tree-sitter's Python grammar): functions
 * decorated with `mlflow.trace` and `with mlflow.start_span(...)` blocks, with the span name each
 * gives in MLflow 3.18 (decorator `name=` else the function's `__name__`; `start_span`'s name,
 * "span" when none is given). Pure: no `vscode`, no parser loading; works on any tree, also one
 * with syntax errors (tree-sitter recovers, and the rest of the file is still read).
 */
import type { Node } from 'web-tree-sitter';

export type TracedKind = 'function' | 'span';

export interface TracedCode {
  readonly kind: TracedKind;
  /** The span name MLflow records for it. */
  readonly spanName: string;
  /** The function's name (a `function`), or the function the `with` block is in, if any. */
  readonly functionName: string | undefined;
  /** 0-based line where the lens goes: the first decorator, or the `with`. */
  readonly line: number;
  /** 0-based line and column of the `def` name, or of the `with`. */
  readonly nameLine: number;
  readonly nameColumn: number;
  /** 0-based last line of the function or the `with` block (where a hover applies). */
  readonly endLine: number;
}

/** The names by which this file refers to mlflow, its `trace` and its `start_span`. */
interface Aliases {
  readonly modules: Set<string>;
  readonly trace: Set<string>;
  readonly startSpan: Set<string>;
}

/** MLflow's default span name for `start_span()` without a name. */
const DEFAULT_START_SPAN_NAME = 'span';

export function findTracedCode(root: Node): TracedCode[] {
  const aliases = collectAliases(root);
  if (aliases.modules.size + aliases.trace.size + aliases.startSpan.size === 0) return [];
  const found: TracedCode[] = [];
  visit(root, undefined, aliases, found);
  return found.sort((a, b) => a.line - b.line || a.nameColumn - b.nameColumn);
}

function visit(node: Node, enclosing: string | undefined, aliases: Aliases, out: TracedCode[]) {
  let inside = enclosing;
  if (node.type === 'decorated_definition') {
    const traced = tracedFunction(node, aliases);
    if (traced) out.push(traced);
  } else if (node.type === 'function_definition') {
    inside = node.childForFieldName('name')?.text ?? enclosing;
  } else if (node.type === 'with_statement') {
    for (const name of startSpanNames(node, aliases)) {
      out.push({
        kind: 'span',
        spanName: name,
        functionName: enclosing,
        line: node.startPosition.row,
        nameLine: node.startPosition.row,
        nameColumn: node.startPosition.column,
        endLine: node.endPosition.row,
      });
    }
  }
  for (const child of node.namedChildren) if (child) visit(child, inside, aliases, out);
}

function tracedFunction(decorated: Node, aliases: Aliases): TracedCode | undefined {
  const definition = decorated.childForFieldName('definition');
  if (definition?.type !== 'function_definition') return undefined;
  const name = definition.childForFieldName('name');
  if (!name) return undefined;
  for (const decorator of decorated.namedChildren) {
    if (decorator?.type !== 'decorator') continue;
    const expression = decorator.namedChildren.find((c) => c !== null && c.type !== 'comment');
    if (!expression) continue;
    const call = expression.type === 'call' ? expression : undefined;
    const callee = call ? call.childForFieldName('function') : expression;
    if (!callee || !refersTo(callee, aliases.modules, aliases.trace, 'trace')) continue;
    let spanName = name.text;
    if (call) {
      const given = keywordArgument(call, 'name');
      // A name that is not a plain string is only known when the code runs: not linked.
      if (given && !literalString(given)) return undefined;
      if (given) spanName = literalString(given) ?? spanName;
    }
    return {
      kind: 'function',
      spanName,
      functionName: name.text,
      line: decorated.startPosition.row,
      nameLine: name.startPosition.row,
      nameColumn: name.startPosition.column,
      endLine: decorated.endPosition.row,
    };
  }
  return undefined;
}

function startSpanNames(withStatement: Node, aliases: Aliases): string[] {
  const names: string[] = [];
  const clause = withStatement.namedChildren.find((c) => c?.type === 'with_clause');
  for (const item of clause?.namedChildren ?? []) {
    if (item?.type !== 'with_item') continue;
    let value = item.childForFieldName('value');
    if (value?.type === 'as_pattern') value = value.namedChildren[0] ?? null;
    if (value?.type !== 'call') continue;
    const callee = value.childForFieldName('function');
    if (!callee || !refersTo(callee, aliases.modules, aliases.startSpan, 'start_span')) continue;
    const given = keywordArgument(value, 'name') ?? firstPositional(value);
    if (!given) names.push(DEFAULT_START_SPAN_NAME);
    else {
      const text = literalString(given);
      if (text !== undefined) names.push(text);
    }
  }
  return names;
}

/** `mlflow.trace` (any alias of the module) or a bare name imported from mlflow. */
function refersTo(callee: Node, modules: Set<string>, bare: Set<string>, attribute: string) {
  if (callee.type === 'identifier') return bare.has(callee.text);
  if (callee.type !== 'attribute') return false;
  const object = callee.childForFieldName('object');
  return (
    callee.childForFieldName('attribute')?.text === attribute &&
    object?.type === 'identifier' &&
    modules.has(object.text)
  );
}

function keywordArgument(call: Node, keyword: string): Node | undefined {
  const args = call.childForFieldName('arguments');
  for (const arg of args?.namedChildren ?? []) {
    if (arg?.type === 'keyword_argument' && arg.childForFieldName('name')?.text === keyword) {
      return arg.childForFieldName('value') ?? undefined;
    }
  }
  return undefined;
}

function firstPositional(call: Node): Node | undefined {
  const first = call.childForFieldName('arguments')?.namedChildren[0];
  return first && first.type !== 'keyword_argument' && first.type !== 'comment' ? first : undefined;
}

/** The value of a plain string literal (no f-string, no concatenation), else undefined. */
export function literalString(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  let text = '';
  let raw = false;
  for (const part of node.namedChildren) {
    if (!part) continue;
    if (part.type === 'string_start') {
      if (/[fFtT]/.test(part.text)) return undefined;
      raw = /[rR]/.test(part.text);
    } else if (part.type === 'string_content') text += raw ? part.text : unescape(part.text);
    else if (part.type !== 'string_end') return undefined;
  }
  return text;
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** Python's common escapes; anything rarer is kept as written (the name will not match). */
function unescape(content: string): string {
  return content.replace(/\\(.)/g, (sequence, letter: string) => ESCAPES[letter] ?? sequence);
}

function collectAliases(root: Node): Aliases {
  const aliases: Aliases = { modules: new Set(), trace: new Set(), startSpan: new Set() };
  const stack: Node[] = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.type === 'import_statement') {
      for (const name of node.namedChildren) {
        if (name?.type === 'dotted_name' && name.text === 'mlflow') aliases.modules.add('mlflow');
        if (name?.type === 'aliased_import' && name.childForFieldName('name')?.text === 'mlflow') {
          const alias = name.childForFieldName('alias')?.text;
          if (alias) aliases.modules.add(alias);
        }
      }
    } else if (node.type === 'import_from_statement') {
      if (node.childForFieldName('module_name')?.text !== 'mlflow') continue;
      for (const name of node.childrenForFieldName('name')) {
        const [imported, local] =
          name?.type === 'aliased_import'
            ? [name.childForFieldName('name')?.text, name.childForFieldName('alias')?.text]
            : [name?.text, name?.text];
        if (!local) continue;
        if (imported === 'trace') aliases.trace.add(local);
        if (imported === 'start_span') aliases.startSpan.add(local);
      }
    } else {
      for (const child of node.namedChildren) if (child) stack.push(child);
    }
  }
  return aliases;
}
