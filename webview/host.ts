/**
 * The webview's side of the channel: `acquireVsCodeApi` once, typed send and receive with every
 * incoming message checked against the protocol, and the saved state (ids and drafts only).
 */
import { parseMessage, toWebview, type FromWebview, type ToWebview } from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function send(message: FromWebview): void {
  api.postMessage(message);
}

/** `receivedAt` is the `performance.now()` of the message's arrival, before it is checked. */
export function onMessage(handler: (message: ToWebview, receivedAt: number) => void): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const receivedAt = performance.now();
    const parsed = parseMessage(toWebview, event.data);
    if (!parsed.ok) {
      console.warn(`Rejected a message from the extension: ${parsed.reason}`);
      return;
    }
    handler(parsed.message, receivedAt);
  });
}

export function savedState(): unknown {
  return api.getState();
}

export function saveState(state: unknown): void {
  api.setState(state);
}
