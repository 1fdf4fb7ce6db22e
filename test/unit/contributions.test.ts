/**
 * package.json's contributions against the code's ids (src/ui/ids.ts): every command, menu,
 * keybinding, view and when-clause context key in the manifest is one the code knows, and the
 * other way round. A command renamed on one side only fails here, not in front of a user.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  COMMANDS,
  CONTEXT_KEYS,
  QUEUES_VIEW_ID,
  SETTINGS_SECTION,
  VIEW_CONTAINER_ID,
  VIEW_ID,
  WEBVIEW_TYPES,
} from '../../src/ui/ids';
import { repoRoot } from '../support/env';

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: { command: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    keybindings: { command: string; when?: string }[];
    views: Record<string, { id: string }[]>;
    viewsContainers: { activitybar: { id: string }[] };
    viewsWelcome: { view: string; when?: string; contents: string }[];
    configuration: { properties: Record<string, unknown> };
  };
}

const manifest = JSON.parse(
  readFileSync(path.join(repoRoot(), 'package.json'), 'utf8'),
) as Manifest;
const { contributes } = manifest;
const commandIds = new Set<string>(Object.values(COMMANDS));

/** Every `mlflowTraceReview.x` name a when-clause reads, except the views' and webviews' ids. */
function contextKeysIn(when: string | undefined): string[] {
  return (
    [...(when ?? '').matchAll(/\bmlflowTraceReview\.\w+/g)]
      .map((m) => m[0])
      .filter((key) => key !== VIEW_ID && key !== QUEUES_VIEW_ID)
      // `activeWebviewPanelId == '<a webview type>'` names a panel's type, not a context key.
      .filter((key) => !(Object.values(WEBVIEW_TYPES) as string[]).includes(key))
  );
}

const whenClauses = [
  ...Object.values(contributes.menus).flatMap((items) => items.map((i) => i.when)),
  ...contributes.keybindings.map((k) => k.when),
  ...contributes.viewsWelcome.map((w) => w.when),
];

describe("package.json's contributions", () => {
  it('declares exactly the commands the code registers', () => {
    assert.deepEqual(contributes.commands.map((c) => c.command).sort(), [...commandIds].sort());
  });

  it('has menus and keybindings only for commands the code knows', () => {
    const used = [
      ...Object.values(contributes.menus).flatMap((items) => items.map((i) => i.command)),
      ...contributes.keybindings.map((k) => k.command),
    ];
    for (const command of used) assert.ok(commandIds.has(command), `unknown command ${command}`);
  });

  it('reads in when-clauses only the context keys the code sets, and each key is read', () => {
    const known = new Set<string>(Object.values(CONTEXT_KEYS));
    const read = new Set(whenClauses.flatMap(contextKeysIn));
    for (const key of read) assert.ok(known.has(key), `when-clause reads unknown key ${key}`);
    for (const key of known) assert.ok(read.has(key), `the code sets ${key}, nothing reads it`);
  });

  it('offers no Edit or Override on an assessment whose id was made up (unreadable)', () => {
    const needsId = new Set<string>([
      COMMANDS.editAssessment,
      COMMANDS.overrideFeedback,
      COMMANDS.openAssessmentForm,
    ]);
    const items = (contributes.menus['view/item/context'] ?? []).filter((i) =>
      needsId.has(i.command),
    );
    assert.ok(items.length >= needsId.size);
    for (const item of items)
      assert.match(item.when ?? '', /&& !\(viewItem =~ \/\\bunidentified\\b\/\)$/, item.command);
  });

  it('links command buttons in welcome content to commands the code knows', () => {
    const linked = contributes.viewsWelcome.flatMap((w) =>
      [...w.contents.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1] ?? ''),
    );
    assert.ok(linked.length > 0);
    // VS Code's own commands that welcome content may link to.
    const builtIn = new Set(['workbench.trust.manage']);
    for (const command of linked)
      assert.ok(commandIds.has(command) || builtIn.has(command), `unknown ${command}`);
  });

  it('names the view, its container, the webview panels and the settings as the code does', () => {
    assert.deepEqual(
      contributes.viewsContainers.activitybar.map((c) => c.id),
      [VIEW_CONTAINER_ID],
    );
    assert.deepEqual(
      Object.values(contributes.views).flatMap((views) => views.map((v) => v.id)),
      [VIEW_ID, QUEUES_VIEW_ID],
    );
    assert.ok(contributes.viewsWelcome.every((w) => w.view === VIEW_ID));
    assert.deepEqual(
      manifest.activationEvents.sort(),
      Object.values(WEBVIEW_TYPES)
        .map((type) => `onWebviewPanel:${type}`)
        .sort(),
    );
    for (const key of Object.keys(contributes.configuration.properties))
      assert.ok(key.startsWith(`${SETTINGS_SECTION}.`), key);
  });
});
