/** The connection state in the status bar; clicking it opens the server and experiment choice. */
import * as vscode from 'vscode';
import { describeNetwork, type Connection, type ConnectionState } from './connection/connection';
import { plain } from './shared/format';
import { COMMANDS, STATUS_BAR_ID } from './ui/ids';

export function createStatusBar(connection: Connection): vscode.Disposable {
  const item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Left, 50);
  item.name = 'MLflow Server';
  item.command = COMMANDS.selectServer;
  const render = (state: ConnectionState) => {
    const { url, origin } = connection.settings.trackingUri;
    // From settings (a workspace's too), next to our own $(icons).
    const host = plain(hostOf(url));
    item.backgroundColor = undefined;
    switch (state.kind) {
      case 'connecting':
        item.text = `$(sync~spin) MLflow ${host}`;
        break;
      case 'connected':
        item.text = `$(beaker) MLflow ${host}`;
        break;
      case 'notConfigured':
        item.text = '$(plug) MLflow: not connected';
        break;
      case 'unreachable':
        item.text = `$(debug-disconnect) MLflow ${host}: unreachable`;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        break;
      case 'unauthorized':
        item.text = `$(lock) MLflow ${host}: sign in`;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        break;
      case 'tooOld':
        item.text = `$(warning) MLflow ${host}: too old`;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
      case 'misconfigured':
        item.text = '$(error) MLflow: fix the tracking URL';
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
    }
    const detail =
      state.kind === 'connected'
        ? `MLflow ${state.version}`
        : state.kind === 'connecting'
          ? 'Connecting…'
          : plain(state.message);
    // Which proxy, CA file and client certificate are in use: never a secret.
    const network = connection.network;
    const how = network
      ? describeNetwork(network)
          .map((line) => `${plain(line)}\n`)
          .join('')
      : '';
    item.tooltip = `${url} (from ${origin})\n${detail}\n${how}Click to change the server or experiments.`;
    item.show();
  };
  render(connection.state);
  const subscription = connection.onDidChangeState(render);
  return vscode.Disposable.from(item, subscription);
}

/** The host to show; a URL that does not parse (the misconfigured state) shows as typed. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
