/**
 * Sign-in credentials in VS Code's SecretStorage, one entry per server origin
 * (scheme://host:port). The client asks for them per request with the origin of the server it
 * talks to, so credentials stored for one server are never sent to another.
 */
import * as vscode from 'vscode';
import * as z from '../mlflow/zod';
import type { Credentials } from '../mlflow';

const KEY_PREFIX = 'mlflowTraceReview.credentials:';
/** The passphrase of an encrypted client key, one entry per key file's path. */
const PASSPHRASE_PREFIX = 'mlflowTraceReview.clientKeyPassphrase:';

const storedCredentials = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('basic'), username: z.string(), password: z.string() }),
  z.object({ kind: z.literal('bearer'), token: z.string() }),
]);
export type StoredCredentials = z.infer<typeof storedCredentials>;

export function originOf(url: string): string {
  return new URL(url).origin;
}

export class CredentialStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the origin whose credentials changed (here or in another window). */
  readonly onDidChange = this.changed.event;
  private readonly passphraseChanged = new vscode.EventEmitter<string>();
  /** Fires with the key file whose passphrase changed (here or in another window). */
  readonly onDidChangePassphrase = this.passphraseChanged.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key.startsWith(KEY_PREFIX)) this.changed.fire(e.key.slice(KEY_PREFIX.length));
      if (e.key.startsWith(PASSPHRASE_PREFIX))
        this.passphraseChanged.fire(e.key.slice(PASSPHRASE_PREFIX.length));
    });
  }

  /** The stored passphrase of a client key file, if any. */
  keyPassphrase(keyFile: string): Thenable<string | undefined> {
    return this.secrets.get(PASSPHRASE_PREFIX + keyFile);
  }

  /** Stores the passphrase of a client key file; an empty one forgets it. */
  async storeKeyPassphrase(keyFile: string, passphrase: string): Promise<void> {
    if (passphrase === '') await this.secrets.delete(PASSPHRASE_PREFIX + keyFile);
    else await this.secrets.store(PASSPHRASE_PREFIX + keyFile, passphrase);
  }

  async get(origin: string): Promise<Credentials> {
    const text = await this.secrets.get(KEY_PREFIX + origin);
    if (text === undefined) return { kind: 'none' };
    const parsed = storedCredentials.safeParse(safeJson(text));
    return parsed.success ? parsed.data : { kind: 'none' };
  }

  async has(origin: string): Promise<boolean> {
    return (await this.get(origin)).kind !== 'none';
  }

  async store(origin: string, credentials: StoredCredentials): Promise<void> {
    await this.secrets.store(KEY_PREFIX + origin, JSON.stringify(credentials));
  }

  async delete(origin: string): Promise<void> {
    await this.secrets.delete(KEY_PREFIX + origin);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
    this.passphraseChanged.dispose();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
