import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ViewDecorator, type DecoratedView } from '../../src/tree/view-decorations';

/** A view that counts each assignment, as VS Code sends each one to the workbench. */
function countingView() {
  const sets = { badge: 0, description: 0, message: 0 };
  const values: DecoratedView = { badge: undefined, description: undefined, message: undefined };
  const view: DecoratedView = {
    get badge() {
      return values.badge;
    },
    set badge(v) {
      sets.badge += 1;
      values.badge = v;
    },
    get description() {
      return values.description;
    },
    set description(v) {
      sets.description += 1;
      values.description = v;
    },
    get message() {
      return values.message;
    },
    set message(v) {
      sets.message += 1;
      values.message = v;
    },
  };
  return { view, sets };
}

describe("the traces view's badge, description and message", () => {
  it('are set once, then only the part that changed', () => {
    const { view, sets } = countingView();
    const decorator = new ViewDecorator(view);
    const page = (count: number) =>
      decorator.show({
        badge: { value: count, tooltip: `${count} unrated` },
        description: 'status = ERROR',
        message: 'status = ERROR',
      });
    page(50);
    assert.deepEqual(sets, { badge: 1, description: 1, message: 1 });
    page(100);
    page(150);
    assert.deepEqual(sets, { badge: 3, description: 1, message: 1 }, 'paging moves the badge only');
    assert.equal(view.badge?.value, 150);
    page(150);
    assert.deepEqual(sets, { badge: 3, description: 1, message: 1 }, 'nothing changed');
    decorator.show({
      badge: undefined,
      description: undefined,
      message: 'Cannot reach the server',
    });
    assert.deepEqual(sets, { badge: 4, description: 2, message: 2 });
    assert.equal(view.badge, undefined);
    assert.equal(view.description, undefined);
    assert.equal(view.message, 'Cannot reach the server');
  });
});
