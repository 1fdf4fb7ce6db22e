/**
 * The Review Queues view in VS Code: a TreeDataProvider over queue-model.ts, and how its rows are
 * drawn. Clicking an item opens its trace in the trace panel.
 */
import * as vscode from 'vscode';
import type { QueueRole } from '../store/review-identity';
import { plain, previewLine, traceName } from '../shared/format';
import { COMMANDS } from '../ui/ids';
import {
  progressLabel,
  QueueTreeModel,
  type QueueConnection,
  type QueueExperiments,
  type QueueItemNode,
  type QueueNode,
  type QueueTreeNode,
} from './queue-model';

export class QueueTreeProvider
  implements vscode.TreeDataProvider<QueueTreeNode>, vscode.Disposable
{
  readonly model: QueueTreeModel;
  private readonly changed = new vscode.EventEmitter<QueueTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): void };

  constructor(connection: QueueConnection, store: QueueExperiments) {
    this.model = new QueueTreeModel(connection, store);
    this.subscription = this.model.onDidChange((node) => {
      this.changed.fire(node);
    });
  }

  getTreeItem(node: QueueTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'queueExperiment': {
        const item = new vscode.TreeItem(
          plain(node.experiment.name),
          // Experiments without queues stay folded: the ones with queues are what is worked.
          node.queueCount === 0
            ? vscode.TreeItemCollapsibleState.Collapsed
            : vscode.TreeItemCollapsibleState.Expanded,
        );
        item.id = `queueExperiment:${node.experiment.experimentId}`;
        item.iconPath = new vscode.ThemeIcon('beaker');
        if (node.queueCount !== undefined)
          item.description = `${node.queueCount} queue${node.queueCount === 1 ? '' : 's'}`;
        item.contextValue = 'queueExperiment';
        return item;
      }
      case 'queue':
        return queueItem(node);
      case 'queueItem':
        return queueItemItem(node);
      case 'queueMessage': {
        const item = new vscode.TreeItem(plain(node.text), vscode.TreeItemCollapsibleState.None);
        item.id = `queueMessage:${node.id}`;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        if (node.tooltip) item.tooltip = plain(node.tooltip);
        // A server without review queues: a local queue, kept in the workspace, instead.
        if (node.id === 'unsupported')
          item.command = {
            command: COMMANDS.startLocalReview,
            title: 'Work a Local Review Queue…',
          };
        item.contextValue = 'queueMessage';
        return item;
      }
    }
  }

  getChildren(node?: QueueTreeNode): Promise<QueueTreeNode[]> {
    return this.model.getChildren(node);
  }

  refresh(): void {
    this.model.refresh();
  }

  dispose(): void {
    this.subscription.dispose();
    this.model.dispose();
    this.changed.dispose();
  }
}

const ROLE_ICONS: Record<QueueRole, string> = {
  own: 'account',
  catchAll: 'organization',
  member: 'person',
  other: 'list-unordered',
};

const ROLE_LABELS: Record<QueueRole, string | undefined> = {
  own: 'your queue',
  catchAll: 'everyone’s queue',
  member: 'assigned to you',
  other: undefined,
};

function queueItem(node: QueueNode): vscode.TreeItem {
  const { queue } = node;
  const item = new vscode.TreeItem(plain(queue.name), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `queue:${queue.queueId}`;
  item.iconPath = new vscode.ThemeIcon(ROLE_ICONS[node.role]);
  item.description = [
    ROLE_LABELS[node.role],
    node.progress ? progressLabel(node.progress) : 'items could not be listed',
  ]
    .filter(Boolean)
    .join(' · ');
  const tooltip = new vscode.MarkdownString(undefined, false);
  tooltip.isTrusted = false;
  tooltip.appendText(`${queue.queueType === 'user' ? 'User queue' : 'Queue'} ${queue.name}\n\n`);
  tooltip.appendText(`Reviewers: ${queue.users.length > 0 ? queue.users.join(', ') : 'none'}\n\n`);
  if (queue.createdBy) tooltip.appendText(`Owner: ${queue.createdBy}\n\n`);
  tooltip.appendText(queue.queueId);
  item.tooltip = tooltip;
  item.contextValue = `queue ${node.role}`;
  return item;
}

const STATUS_ICONS = {
  pending: new vscode.ThemeIcon('circle-large-outline'),
  complete: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  declined: new vscode.ThemeIcon('circle-slash'),
};

function queueItemItem(node: QueueItemNode): vscode.TreeItem {
  const { item: queueItem, trace } = node;
  const label = trace
    ? previewLine(trace.requestPreview) || traceName(trace)
    : `${queueItem.traceId} (trace not found)`;
  const item = new vscode.TreeItem(plain(label), vscode.TreeItemCollapsibleState.None);
  item.id = `queueItem:${queueItem.queueId}:${queueItem.traceId}`;
  item.iconPath = STATUS_ICONS[queueItem.status];
  item.description = [queueItem.status, queueItem.completedBy].filter(Boolean).join(' · ');
  item.tooltip = plain(
    [
      trace ? traceName(trace) : queueItem.traceId,
      `${queueItem.status}${queueItem.completedBy ? ` by ${queueItem.completedBy}` : ''}`,
      queueItem.traceId,
    ].join('\n'),
  );
  if (trace)
    item.command = {
      command: COMMANDS.openTrace,
      title: 'Open Trace',
      arguments: [{ traceId: queueItem.traceId }],
    };
  item.contextValue = `queueItem ${queueItem.status}`;
  return item;
}
