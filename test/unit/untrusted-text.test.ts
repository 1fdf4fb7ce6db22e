/**
 * Trace content is untrusted: written by LLMs and by anyone with access to an experiment. These
 * tests hold the formatting in src/shared/format.ts (and what builds on it) to showing such text
 * as text: never cut in half, never as links, images, icons or reordered by bidi controls.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MlflowApiError } from '../../src/mlflow';
import { truncate } from '../../src/shared/format';
import { parseValue } from '../../src/shared/value-input';

/** True when `text` holds a lone surrogate: half an emoji, drawn as �. */
function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

describe('truncation', () => {
  it('never splits a surrogate pair', () => {
    const text = 'ab😀cd';
    for (let max = 1; max <= text.length; max++) {
      const cut = truncate(text, max);
      assert.ok(!hasLoneSurrogate(cut), `cut at ${max}: ${JSON.stringify(cut)}`);
      assert.ok(cut.length <= max, `cut at ${max} is at most ${max} long`);
    }
    assert.equal(truncate('ab😀cd', 4), 'ab…');
    assert.equal(truncate('ab😀cd', 5), 'ab😀…');
  });
  it('keeps emoji whole in the value parser’s messages', () => {
    const parsed = parseValue('number', `${'x'.repeat(38)}😀😀`);
    assert.ok(!parsed.ok && !hasLoneSurrogate(parsed.message), JSON.stringify(parsed));
  });
  it('keeps emoji whole in a long server message', () => {
    const said = `${'x'.repeat(299)}😀 and more`;
    const error = new MlflowApiError(500, undefined, said, 'GET', 'http://h/api');
    assert.ok(!hasLoneSurrogate(error.message), error.message);
  });
});
