/**
 * Credentials over plain http:// to another machine travel readable by anyone on the way. Before
 * the first such request for an origin, the person is asked once; the answer is remembered.
 * https:// and loopback addresses are not asked about.
 */
import * as vscode from 'vscode';
import { isLoopback } from './tracking-uri';

const ACCEPTED = 'plainHttpCredentials.accepted';

export class PlainHttpGuard {
  /** One question per origin at a time: concurrent requests wait for the same answer. */
  private readonly asking = new Map<string, Promise<boolean>>();

  constructor(private readonly memory: vscode.Memento) {}

  /** Whether credentials may be sent to this origin. */
  allows(origin: string): Promise<boolean> {
    if (!origin.startsWith('http:') || isLoopback(origin)) return Promise.resolve(true);
    if (this.accepted().includes(origin)) return Promise.resolve(true);
    let answer = this.asking.get(origin);
    if (!answer) {
      answer = this.ask(origin).finally(() => this.asking.delete(origin));
      this.asking.set(origin, answer);
    }
    return answer;
  }

  private async ask(origin: string): Promise<boolean> {
    const send = 'Send Over HTTP';
    const choice = await vscode.window.showWarningMessage(
      `Send your MLflow password or token to ${origin} over plain HTTP?`,
      {
        modal: true,
        detail:
          'Without HTTPS, anyone on the network between you and the server can read it. Use an https:// tracking URL if the server has one. You are asked once for this server.',
      },
      send,
    );
    if (choice !== send) return false;
    await this.memory.update(ACCEPTED, [...this.accepted(), origin]);
    return true;
  }

  private accepted(): string[] {
    return this.memory.get<string[]>(ACCEPTED, []);
  }
}
