/**
 * The extension's bundle loaded with V8's code cache (src/util/code-cache.ts): the cache is made,
 * then used; a changed bundle never reads the old one; a damaged cache or a folder that cannot
 * be written costs only the compile. The modules run as Node's loader runs them.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { loadWithCodeCache } from '../../src/util/code-cache';

interface Bundle {
  answer: number;
  sibling: string;
  where: { filename: string; dirname: string; thisIsExports: boolean };
}

let dir: string;
let bundle: string;
let cacheDir: string;

/** A bundle as esbuild writes one: CommonJS, requiring a file beside it. */
function writeBundle(answer: number): void {
  fs.writeFileSync(
    bundle,
    `"use strict";
module.exports = {
  answer: ${answer},
  sibling: require('./sibling.js').name,
  where: { filename: __filename, dirname: __dirname, thisIsExports: this === exports },
};`,
  );
}

const cacheFiles = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : []);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtr-code-cache-'));
  bundle = path.join(dir, 'extension.js');
  cacheDir = path.join(dir, 'storage', 'code-cache');
  fs.writeFileSync(path.join(dir, 'sibling.js'), "exports.name = 'beside';");
  writeBundle(42);
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the bundle loaded with V8's code cache", () => {
  it('runs the bundle as Node would, makes the cache once, then uses it', () => {
    const first = loadWithCodeCache<Bundle>(bundle, cacheDir);
    assert.equal(first.cache, 'absent');
    assert.deepEqual(first.exports, {
      answer: 42,
      sibling: 'beside',
      where: { filename: bundle, dirname: dir, thisIsExports: true },
    });
    first.save();
    assert.equal(cacheFiles().length, 1);
    const second = loadWithCodeCache<Bundle>(bundle, cacheDir);
    assert.equal(second.cache, 'used');
    assert.equal(second.exports.answer, 42);
    assert.notEqual(second.exports, first.exports, 'run again, not shared');
    second.save();
    assert.equal(cacheFiles().length, 1, 'a cache used is not written again');
  });

  it("never reads a changed bundle's old cache (V8 checks only the length), and drops it", () => {
    loadWithCodeCache<Bundle>(bundle, cacheDir).save();
    const [old] = cacheFiles();
    writeBundle(24); // the same length: V8 alone would take the old cache
    const changed = loadWithCodeCache<Bundle>(bundle, cacheDir);
    assert.equal(changed.cache, 'absent');
    assert.equal(changed.exports.answer, 24);
    changed.save();
    assert.equal(cacheFiles().length, 1);
    assert.notEqual(cacheFiles()[0], old);
  });

  it('never gives V8 a damaged cache (it checks no checksum), and makes it again', () => {
    loadWithCodeCache<Bundle>(bundle, cacheDir).save();
    const file = path.join(cacheDir, cacheFiles()[0] ?? '');
    const flipOneByte = () => {
      const bytes = fs.readFileSync(file);
      const middle = bytes.length >> 1;
      bytes.writeUInt8(bytes.readUInt8(middle) ^ 0xff, middle);
      fs.writeFileSync(file, bytes);
    };
    for (const damage of [flipOneByte, () => fs.writeFileSync(file, 'not a code cache')]) {
      damage();
      const damaged = loadWithCodeCache<Bundle>(bundle, cacheDir);
      assert.equal(damaged.cache, 'rejected');
      assert.equal(damaged.exports.answer, 42);
      damaged.save();
      assert.equal(loadWithCodeCache<Bundle>(bundle, cacheDir).cache, 'used');
    }
  });

  it('loads, and says nothing, when the cache cannot be written', () => {
    fs.mkdirSync(path.dirname(cacheDir), { recursive: true });
    fs.writeFileSync(cacheDir, 'a file where the folder should be');
    const loaded = loadWithCodeCache<Bundle>(bundle, cacheDir);
    assert.equal(loaded.exports.answer, 42);
    assert.doesNotThrow(() => {
      loaded.save();
    });
    assert.equal(loadWithCodeCache<Bundle>(bundle, cacheDir).cache, 'absent');
  });
});
