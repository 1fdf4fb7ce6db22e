/**
 * MLflow's own Python SDK in a long-lived process (python/interop.py), so tests can log with it
 * and read with our client, or the reverse. One process per test file: importing mlflow is slow.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pythonPath, repoRoot } from './env';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export class PythonSdk {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderr = '';

  constructor(trackingUri: string, env: Record<string, string> = {}) {
    this.child = spawn(pythonPath(), [path.join(repoRoot(), 'python', 'interop.py')], {
      env: { ...process.env, MLFLOW_TRACKING_URI: trackingUri, ...env },
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-8000);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (!line.startsWith('{"id"')) return; // anything else mlflow printed
      const reply = JSON.parse(line) as { id: number; result?: unknown; error?: string };
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(`Python SDK: ${reply.error}`));
      else waiter?.resolve(reply.result);
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.pending.values())
        waiter.reject(new Error(`interop.py exited (${code}):\n${this.stderr}`));
      this.pending.clear();
    });
  }

  call<T = unknown>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.stdin.write(`${JSON.stringify({ id, command, args })}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}

/** An assessment as MLflow's `Assessment.to_dictionary()` gives it (proto field names). */
export interface PyAssessment {
  assessment_id: string;
  assessment_name: string;
  trace_id: string;
  source: { source_type: string; source_id?: string };
  create_time: string;
  last_update_time: string;
  span_id?: string;
  rationale?: string;
  metadata?: Record<string, string>;
  feedback?: { value?: unknown; error?: Record<string, string> };
  expectation?: {
    value?: unknown;
    serialized_value?: { serialization_format: string; value: string };
  };
  overrides?: string;
  valid?: boolean;
}
