/**
 * Loads a CommonJS bundle with V8's code cache, so that a window after the first does not compile
 * the extension's 300 KB again: a CPU profile of activation put about 20 ms in that compile,
 * most of what activation costs beyond a minimal extension's (issue 17).
 *
 * Only this bundle is cached. Node's own `module.enableCompileCache()` would do it for every
 * module loaded after it in the extension host, which other extensions share.
 *
 * V8 checks a cache against the source's length, not its content (a cache made for other code
 * of the same length runs that code), and in release builds not against a checksum either. So a
 * cache is named after the hash of the source it was made from, and starts with the hash of its
 * own bytes: a changed bundle never reads an old cache, and V8 is never given a damaged one.
 * Whatever goes wrong with the cache (unreadable, damaged, refused, a folder that cannot be
 * written) costs only the compile.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire, wrap } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

/** What became of the cache: read and used, read and refused by V8, or none there. */
export type CodeCacheUse = 'used' | 'rejected' | 'absent';

export interface CachedModule<T> {
  readonly exports: T;
  readonly cache: CodeCacheUse;
  /**
   * Writes the cache when none was used (the functions compiled by then go in with it, so this
   * is best called once the bundle has done its start), and removes caches of other versions.
   * Never throws: a cache not written is made again next time.
   */
  save(): void;
}

export function loadWithCodeCache<T>(file: string, cacheDir: string): CachedModule<T> {
  const source = fs.readFileSync(file, 'utf8');
  const name = `${path.basename(file, '.js')}-${sha256(source).toString('hex', 0, 16)}-v8-${process.versions.v8}.cache`;
  const cacheFile = path.join(cacheDir, name);
  const stored = readIfThere(cacheFile);
  const cachedData = stored && checked(stored);
  const script = new vm.Script(wrap(source), { filename: file, cachedData });
  const cache: CodeCacheUse = !stored
    ? 'absent'
    : !cachedData || script.cachedDataRejected === true
      ? 'rejected'
      : 'used';
  // As Node's loader runs a file: its own `require` (relative to it; VS Code's `vscode` module
  // is found by the requiring file's path), `module`, `exports`, `__filename`, `__dirname`.
  const run = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: { exports: unknown },
    filename: string,
    dirname: string,
  ) => void;
  const module = { exports: {} as unknown };
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  return {
    exports: module.exports as T,
    cache,
    save() {
      if (cache === 'used') return;
      try {
        fs.mkdirSync(cacheDir, { recursive: true });
        const temporary = `${cacheFile}.${process.pid}.tmp`;
        const data = script.createCachedData();
        fs.writeFileSync(temporary, Buffer.concat([sha256(data), data]));
        // Renamed into place whole: another window reading it never sees half a file.
        fs.renameSync(temporary, cacheFile);
        for (const other of fs.readdirSync(cacheDir))
          if (!other.startsWith(name) && other.startsWith(`${path.basename(file, '.js')}-`))
            fs.rmSync(path.join(cacheDir, other), { force: true });
      } catch {
        // A read-only or full disk: the next window compiles the bundle, as without a cache.
      }
    },
  };
}

function sha256(data: string | Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** The cache's bytes, or undefined when there is none yet (the first window) or it is unreadable. */
function readIfThere(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** V8's data from a stored cache (its hash, then the data), if the data matches its hash. */
function checked(stored: Buffer): Buffer | undefined {
  const hashBytes = 32;
  const data = stored.subarray(hashBytes);
  return stored.length > hashBytes && sha256(data).equals(stored.subarray(0, hashBytes))
    ? data
    : undefined;
}
