/**
 * The Python parser: web-tree-sitter with tree-sitter-python's grammar, both WebAssembly. Loaded
 * once, on the first Python file asked for, never on activation: the extension's bundle requires
 * `./tree-sitter.js` (web-tree-sitter alone, esbuild.mjs) only here, and the two `.wasm` files
 * are read from the folder given (the extension's dist/, or node_modules in tests).
 */
import path from 'node:path';
import type { Language, Parser } from 'web-tree-sitter';
import { findTracedCode, type TracedCode } from './traced-code';

export interface WasmFiles {
  /** web-tree-sitter's runtime, tree-sitter.wasm. */
  readonly runtime: string;
  /** The Python grammar, tree-sitter-python.wasm. */
  readonly python: string;
}

export function wasmFilesIn(folder: string): WasmFiles {
  return {
    runtime: path.join(folder, 'tree-sitter.wasm'),
    python: path.join(folder, 'tree-sitter-python.wasm'),
  };
}

export class PythonParser {
  private loading: Promise<Parser> | undefined;

  constructor(private readonly files: WasmFiles) {}

  /** The traced code of a Python source text. */
  async tracedCode(source: string): Promise<TracedCode[]> {
    const parser = await this.parser();
    const tree = parser.parse(source);
    if (!tree) return [];
    try {
      return findTracedCode(tree.rootNode);
    } finally {
      tree.delete();
    }
  }

  private parser(): Promise<Parser> {
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = undefined; // a failed load (a missing file) is tried again next time
      throw error;
    });
    return this.loading;
  }

  private async load(): Promise<Parser> {
    const treeSitter = await import('web-tree-sitter');
    await treeSitter.Parser.init({ locateFile: () => this.files.runtime });
    const language: Language = await treeSitter.Language.load(this.files.python);
    const parser = new treeSitter.Parser();
    parser.setLanguage(language);
    return parser;
  }
}
