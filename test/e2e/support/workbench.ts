/**
 * A person at the workbench: Playwright driving Chromium against code-server, with the packaged
 * extension installed from its .vsix. Only what a person can do: keys, clicks, reading the
 * screen. Each step can save a screenshot under test-output/e2e/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { findWebviewFrame } from '../../../scripts/code-server-harness/code-server.mjs';
import { repoRoot } from '../../support/env';

export const SCREENSHOTS = path.join(repoRoot(), 'test-output', 'e2e');

/** Long enough for a slow shared machine; every wait is for a condition, never a fixed time. */
const WAIT_MS = 30_000;

export class Workbench {
  private shots = 0;

  constructor(
    readonly page: Page,
    private readonly journey: string,
  ) {
    // This journey's screenshots from an earlier run go; other journeys' stay.
    if (fs.existsSync(SCREENSHOTS)) {
      for (const file of fs.readdirSync(SCREENSHOTS))
        if (file.startsWith(`${journey}-`)) fs.rmSync(path.join(SCREENSHOTS, file));
    }
  }

  /** Opens the workbench at `url` and waits until the MLflow view's icon is in the activity bar. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await this.activityBarItem().waitFor({ timeout: 60_000 });
  }

  /**
   * Shows the MLflow view whether or not the window restored it: clicking its icon would hide a
   * view already shown (after a reload, the side bar may come back open just before the click).
   */
  async showView(): Promise<void> {
    await this.runCommand('Focus on MLflow Traces View');
  }

  activityBarItem(): Locator {
    return this.page.locator('.activitybar .action-item [aria-label^="MLflow Traces"]').first();
  }

  /** Saves test-output/e2e/<journey>-<n>-<name>.png. */
  async screenshot(name: string): Promise<void> {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const n = String(++this.shots).padStart(2, '0');
    await this.page.screenshot({
      path: path.join(SCREENSHOTS, `${this.journey}-${n}-${name}.png`),
    });
  }

  /**
   * F1, the command's title, Enter: the command palette, as a person uses it. Just after a
   * reload the palette can open before the extensions' commands are known, and it lists only
   * what it knew when it opened: then it is closed and opened again, as a person would.
   */
  async runCommand(title: string): Promise<void> {
    const row = this.page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title });
    const deadline = Date.now() + 2 * WAIT_MS;
    for (;;) {
      try {
        await this.openPalette();
        // Just after a reload the palette's box can also be there and not take a click.
        await this.type(title);
        await row.waitFor({ timeout: 5_000 });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await this.page.keyboard.press('Escape');
      }
    }
    await this.page.keyboard.press('Enter');
  }

  /**
   * F1 until the palette opens: a workbench still loading (just after a reload) drops the key,
   * so it is pressed again every few seconds, within the usual wait.
   */
  private async openPalette(): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      await this.page.keyboard.press('F1');
      try {
        await this.quickInput().waitFor({ timeout: 3_000 });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
  }

  quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Waits for the quick input to show `text`: in its title, prompt, placeholder or items. */
  async waitForQuickInput(text: string): Promise<void> {
    const quoted = JSON.stringify(text);
    await this.page
      .locator(
        `.quick-input-widget:has-text(${quoted}), .quick-input-widget:has(input[placeholder*=${quoted}])`,
      )
      .first()
      .waitFor({ state: 'visible', timeout: WAIT_MS });
  }

  /** Waits until the quick input's focused item contains `text`. */
  async waitForFocusedItem(text: string): Promise<void> {
    await this.page
      .locator('.quick-input-list .monaco-list-row.focused', { hasText: text })
      .waitFor({ timeout: WAIT_MS });
  }

  /**
   * Types into whatever has the focus. While a quick input shows, that must be its box: on a busy
   * machine it can show without the focus (a panel opening beside it keeps it), and the keys would
   * land elsewhere; then a click in the box, as a person would do.
   */
  async type(text: string): Promise<void> {
    if (await this.quickInput().isVisible()) {
      const focused = this.page.locator('.quick-input-widget input:focus');
      const hasFocus = await focused
        .waitFor({ state: 'attached', timeout: 5_000 })
        .then(() => true)
        .catch(() => false);
      if (!hasFocus) {
        await this.page.locator('.quick-input-widget input').first().click({ timeout: 5_000 });
        await focused.waitFor({ state: 'attached', timeout: WAIT_MS });
      }
    }
    await this.page.keyboard.type(text);
  }

  async press(key: string): Promise<void> {
    await this.page.keyboard.press(key);
  }

  /** A row of the MLflow Traces tree whose text contains `text`. */
  treeRow(text: string | RegExp): Locator {
    return this.page.locator('.sidebar [role="treeitem"]', { hasText: text }).first();
  }

  async waitForTreeRow(text: string | RegExp, timeout = WAIT_MS): Promise<Locator> {
    const row = this.treeRow(text);
    await row.waitFor({ timeout });
    return row;
  }

  /**
   * Points at `row` until its hover shows `text` (tree tooltips are made only then), saves
   * screenshot `shot`, and moves the pointer away again.
   */
  async hoverShows(row: Locator, text: string | RegExp, shot: string): Promise<string> {
    await row.hover();
    const hover = this.page.locator('.monaco-hover, .workbench-hover', { hasText: text }).first();
    await hover.waitFor({ timeout: WAIT_MS });
    const shown = await hover.innerText();
    await this.screenshot(shot);
    await this.page.mouse.move(0, 0);
    await hover.waitFor({ state: 'hidden', timeout: WAIT_MS });
    return shown;
  }

  /** Expands a collapsed tree row (a click on its twistie). */
  async expand(row: Locator): Promise<void> {
    if ((await row.getAttribute('aria-expanded')) === 'false') {
      await row.locator('.monaco-tl-twistie').click();
      await row.and(this.page.locator('[aria-expanded="true"]')).waitFor({ timeout: WAIT_MS });
    }
  }

  /**
   * Right-click `row`, then the context menu's `item`: pointed at, then Enter (a click that lands
   * while the menu is still opening is ignored by VS Code, so a click alone is unreliable).
   */
  async contextMenu(row: Locator, item: string): Promise<void> {
    await row.click({ button: 'right' });
    const entry = this.page.locator('.context-view .action-item', { hasText: item }).first();
    await entry.waitFor({ timeout: WAIT_MS });
    await entry.hover();
    await this.page
      .locator('.context-view .action-item.focused', { hasText: item })
      .waitFor({ timeout: WAIT_MS });
    await this.page.keyboard.press('Enter');
    await entry.waitFor({ state: 'hidden', timeout: WAIT_MS });
  }

  /** The modal dialog's text (saved as screenshot `shot` first); clicks `button`. */
  async answerDialog(button: string, shot: string): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: WAIT_MS });
    await this.screenshot(shot);
    const text = (await dialog.locator('.dialog-message-row').textContent()) ?? '';
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: button }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: WAIT_MS });
    return text;
  }

  /** The modal dialog's text; then `key` is pressed (Enter takes the default button). */
  async pressInDialog(key: string): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: WAIT_MS });
    const text = (await dialog.locator('.dialog-message-row').textContent()) ?? '';
    await this.page.keyboard.press(key);
    await dialog.waitFor({ state: 'hidden', timeout: WAIT_MS });
    return text;
  }

  /** Waits for a notification toast containing `text`; returns its message. */
  async waitForNotification(text: string): Promise<string> {
    const toast = this.page.locator('.notification-toast', { hasText: text }).first();
    await toast.waitFor({ timeout: WAIT_MS });
    return (await toast.locator('.notification-list-item-message').textContent()) ?? '';
  }

  /** The visible trace panel's, form's or review panel's frame. */
  webview(view: 'trace' | 'form' | 'review'): Promise<Frame> {
    return findWebviewFrame(this.page, view);
  }

  /** Opens a new terminal and runs `commandLine` in it; resolves when `expected` shows. */
  async runInTerminal(commandLine: string, expected: RegExp): Promise<string> {
    await this.runCommand('Terminal: Create New Terminal');
    const rows = this.page.locator('.terminal-wrapper.active .xterm-rows');
    // The prompt shows once the shell is ready for input.
    await rows.filter({ hasText: /[$#][\s\u00a0]/ }).waitFor({ timeout: WAIT_MS });
    await this.page.keyboard.type(commandLine);
    await this.page.keyboard.press('Enter');
    // Done when it prints what is expected, or fails the way shells and Python fail.
    const failed = /Traceback \(most recent call last\)|command not found|No such file/;
    await rows
      .filter({ hasText: new RegExp(`${expected.source}|${failed.source}`) })
      .waitFor({ timeout: 120_000 })
      .catch(() => undefined);
    const text = await rows.innerText();
    const match = expected.exec(text);
    if (!match) throw new Error(`The terminal did not show ${String(expected)}:\n${text}`);
    return match[1] ?? match[0];
  }
}
