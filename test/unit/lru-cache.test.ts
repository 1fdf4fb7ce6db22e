import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruCache } from '../../src/util/lru-cache';

describe('a bounded cache', () => {
  it('keeps at most its number of entries, dropping the least recently used', () => {
    const cache = new LruCache<string, number>({ maxEntries: 2, maxBytes: 1_000 });
    cache.set('a', 1);
    cache.set('b', 2);
    assert.equal(cache.get('a'), 1); // a is now the most recently used
    cache.set('c', 3);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.size, 2);
  });

  it('keeps at most its bytes, sizes given when known', () => {
    const cache = new LruCache<string, string>({ maxEntries: 10, maxBytes: 100 });
    cache.set('a', 'x', 60);
    cache.set('b', 'y');
    cache.resize('b', 60);
    assert.equal(cache.get('a'), undefined, 'the older one made room');
    assert.equal(cache.totalBytes, 60);
    cache.resize('b', 150);
    assert.equal(cache.get('b'), undefined, 'larger than the whole cache: not kept');
    assert.equal(cache.totalBytes, 0);
  });
});
