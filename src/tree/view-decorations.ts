import type * as vscode from 'vscode';

/** What the traces view shows around its rows: the badge, the description and the message. */
export interface ViewDecorations {
  badge: vscode.ViewBadge | undefined;
  description: string | undefined;
  message: string | undefined;
}

/** The parts of a tree view that `ViewDecorator` sets (a `vscode.TreeView` has them all). */
export type DecoratedView = Pick<vscode.TreeView<unknown>, 'badge' | 'description' | 'message'>;

/**
 * Sets each of a view's decorations only when it reads differently. VS Code sends every
 * assignment of a description or message to the workbench, which draws the view's header again,
 * and a message also goes through the queue that gathers the tree's changes for 200 ms: paging
 * set all three on every page though only the badge's count moved.
 */
export class ViewDecorator {
  private shown: ViewDecorations | undefined;

  constructor(private readonly view: DecoratedView) {}

  show(next: ViewDecorations): void {
    const shown = this.shown;
    if (!shown || !sameBadge(shown.badge, next.badge)) this.view.badge = next.badge;
    if (!shown || shown.description !== next.description) this.view.description = next.description;
    if (!shown || shown.message !== next.message) this.view.message = next.message;
    this.shown = next;
  }
}

function sameBadge(a: vscode.ViewBadge | undefined, b: vscode.ViewBadge | undefined): boolean {
  return a?.value === b?.value && a?.tooltip === b?.tooltip;
}
