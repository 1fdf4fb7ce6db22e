/**
 * The webview's side of the channel: `acquireVsCodeApi` once, and a typed channel per panel
 * (its own protocol from src/shared/protocol/) that checks every incoming message, plus the
 * saved state (ids and drafts only).
 */
import { parseMessage, type Protocol } from '../src/shared/protocol/common';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export interface Channel<ToWebview, FromWebview> {
  readonly send: (message: FromWebview) => void;
  /** `receivedAt` is the `performance.now()` of the message's arrival, before it is checked. */
  readonly onMessage: (handler: (message: ToWebview, receivedAt: number) => void) => void;
}

export function channel<ToWebview extends { type: string }, FromWebview extends { type: string }>(
  protocol: Protocol<ToWebview, FromWebview>,
): Channel<ToWebview, FromWebview> {
  return {
    send: (message) => {
      api.postMessage(message);
    },
    onMessage: (handler) => {
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        const receivedAt = performance.now();
        const parsed = parseMessage(protocol.toWebview, event.data);
        if (!parsed.ok) {
          console.warn(`Rejected a message from the extension: ${parsed.reason}`);
          return;
        }
        handler(parsed.message, receivedAt);
      });
    },
  };
}

export function savedState(): unknown {
  return api.getState();
}

export function saveState(state: unknown): void {
  api.setState(state);
}
