import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SubmitGate } from '../../src/panels/submit-gate';

describe('a form’s submits', () => {
  it('handles one at a time: a second while the first is under way is refused', async () => {
    const gate = new SubmitGate();
    const generation = gate.nextGeneration();
    let release = () => {};
    let writes = 0;
    const write = () =>
      new Promise<void>((resolve) => {
        writes++;
        release = resolve;
      });
    const first = gate.run(generation, write);
    assert.equal(await gate.run(generation, write), 'a form whose submit is under way');
    release();
    assert.equal(await first, undefined);
    assert.equal(writes, 1);
    // Done (failed, say, with the form still open): the person may send it again.
    assert.equal(await gate.run(generation, () => Promise.resolve()), undefined);
  });

  it('refuses a submit for a form that has since been replaced', async () => {
    const gate = new SubmitGate();
    const old = gate.nextGeneration();
    gate.nextGeneration(); // "Submit and Next" sent the next trace's form
    let wrote = false;
    const refused = await gate.run(old, () => {
      wrote = true;
      return Promise.resolve();
    });
    assert.equal(refused, 'a form since replaced');
    assert.equal(wrote, false);
  });

  it('is free again after a submit that throws', async () => {
    const gate = new SubmitGate();
    const generation = gate.nextGeneration();
    await assert.rejects(gate.run(generation, () => Promise.reject(new Error('down'))));
    assert.equal(gate.refusal(generation), undefined);
  });
});
