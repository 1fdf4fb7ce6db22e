/**
 * How the rows of "Group by Session" are drawn: a session ("Session <id>", its turns, users and
 * last activity) and a range of a long grouped list. The hover is made from untrusted text only
 * (sessionTooltip in tooltips.ts' manner: through markdownText and codeSpan).
 */
import * as vscode from 'vscode';
import { codeSpan, formatAge, markdownText, plain, truncate } from '../shared/format';
import { isSessionAssessment, sessionLabel, type SessionGroup } from '../shared/sessions';
import type { GroupRangeNode, SessionNode } from './nodes';
import { rangeLabel } from './ranges';

/** A session id in a row: its levels, cut short (the hover has it whole). */
export function shortSession(sessionId: string, max = 40): string {
  return plain(truncate(sessionLabel(sessionId), max));
}

/** "3 turns · user alice" (several users: "users alice, bob"). */
export function sessionSummary(group: SessionGroup): string {
  const n = group.turns.length;
  const parts = [`${n} turn${n === 1 ? '' : 's'}`];
  if (group.users.length === 1) parts.push(`user ${plain(truncate(group.users[0] ?? '', 30))}`);
  else if (group.users.length > 1)
    parts.push(`users ${plain(truncate(group.users.join(', '), 40))}`);
  return parts.join(' · ');
}

export function sessionItem(node: SessionNode, now: number): vscode.TreeItem {
  const { group } = node;
  const item = new vscode.TreeItem(
    `Session ${shortSession(group.sessionId)}`,
    vscode.TreeItemCollapsibleState.Collapsed,
  );
  item.id = `session:${node.experimentId}:${JSON.stringify(group.sessionId)}`;
  item.iconPath = new vscode.ThemeIcon('comment-discussion');
  const rated = group.turns.some((t) =>
    t.assessments.some((a) => a.valid && isSessionAssessment(a)),
  );
  item.description = [
    sessionSummary(group),
    rated ? 'session rated' : '',
    formatAge(group.lastActivity, now),
  ]
    .filter(Boolean)
    .join(' · ');
  item.contextValue = 'session';
  item.accessibilityInformation = {
    label: `Session ${shortSession(group.sessionId)}, ${item.description}`,
  };
  return item;
}

export function groupRangeItem(node: GroupRangeNode): vscode.TreeItem {
  const item = new vscode.TreeItem(
    `${node.what} ${rangeLabel(node.start, node.end)}`,
    vscode.TreeItemCollapsibleState.Collapsed,
  );
  item.id = `group:${node.key}`;
  item.iconPath = new vscode.ThemeIcon('list-unordered');
  item.contextValue = 'groupRange';
  return item;
}

/** The hover of a session row, as Markdown text: everything in it from the traces is inert. */
export function sessionTooltip(group: SessionGroup): string {
  const first = group.turns[0];
  let md = `**Session** ${codeSpan(group.sessionId)}\n\n`;
  if (group.sessionId !== sessionLabel(group.sessionId))
    md += `Levels: ${markdownText(sessionLabel(group.sessionId))}\n\n`;
  if (group.users.length > 0)
    md += `User${group.users.length > 1 ? 's' : ''}: ${group.users.map((u) => codeSpan(truncate(u, 100))).join(', ')}\n\n`;
  md += `${group.turns.length} loaded turn${group.turns.length === 1 ? '' : 's'}`;
  if (first) md += `, from ${new Date(first.requestTime).toLocaleString()}`;
  md += ` to ${new Date(group.lastActivity).toLocaleString()}\n\n`;
  md += 'Only loaded traces are grouped: **Open Session** shows every turn.';
  return md;
}
