/**
 * A small loopback proxy in front of a real MLflow server, for fault tests: it forwards every
 * request unchanged unless a fault is set, and then delays, cuts, answers with a status of its
 * own, or alters the real server's JSON answer. It records what it saw (method, path, headers).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * `afterServer`: the request reaches the real server first (which carries it out), and the fault
 * hits its answer on the way back: a write that was saved, though the client cannot know it.
 */
export type Fault =
  | { kind: 'delay'; ms: number; afterServer?: boolean }
  | { kind: 'reset'; afterServer?: boolean }
  | {
      kind: 'status';
      status: number;
      body?: string;
      headers?: Record<string, string>;
      afterServer?: boolean;
    }
  | { kind: 'transform'; change: (json: unknown) => unknown };

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface FaultRule {
  fault: Fault;
  /** Only requests whose path matches; default: all. */
  match?: RegExp;
  /** Only requests with this method (POST, PATCH, ...); default: all. */
  method?: string;
  /** Applies to this many matching requests, then forwarding resumes; default: all. */
  times?: number;
}

export class FaultProxy {
  readonly seen: SeenRequest[] = [];
  private rules: FaultRule[] = [];
  private stoppedPort: number | undefined;
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor(
    private readonly server: http.Server,
    private readonly target: URL,
    private readonly host: string,
    private readonly listenHost: string,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /**
   * `hostName`: the name its url uses instead of 127.0.0.1, such as this machine's host name (a
   * server that is not loopback by its name); it then listens on every address.
   */
  static async start(targetUrl: string, hostName?: string): Promise<FaultProxy> {
    const server = http.createServer();
    const listenHost = hostName ? '0.0.0.0' : '127.0.0.1';
    const proxy = new FaultProxy(server, new URL(targetUrl), hostName ?? '127.0.0.1', listenHost);
    server.on('request', (req, res) => {
      void proxy.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, listenHost, resolve));
    return proxy;
  }

  get url(): string {
    const port = this.stoppedPort ?? (this.server.address() as AddressInfo).port;
    return `http://${this.host}:${port}`;
  }

  /** Replaces the rules; an empty call forwards everything again. */
  set(...rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r }));
  }

  count(method: string, pathPattern: RegExp): number {
    return this.seen.filter((r) => r.method === method && pathPattern.test(r.path)).length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** As a server that stopped: connections to its port are refused until `restart`. */
  async stop(): Promise<void> {
    this.stoppedPort = (this.server.address() as AddressInfo).port;
    await this.close();
  }

  /** Listens on the same port again, as a restarted server. */
  async restart(): Promise<void> {
    const port = this.stoppedPort;
    if (port === undefined) throw new Error('The proxy was not stopped.');
    await new Promise<void>((resolve) => this.server.listen(port, this.listenHost, resolve));
    this.stoppedPort = undefined;
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const rule = this.rules.find(
      (r) =>
        (r.match ? r.match.test(path) : true) &&
        (r.method ? r.method === method : true) &&
        (r.times ?? 1) > 0,
    );
    if (!rule) return undefined;
    if (rule.times !== undefined) rule.times--;
    return rule.fault;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    this.seen.push({ method: req.method ?? 'GET', path, headers: req.headers });
    const body = await readAll(req);
    const fault = this.takeFault(req.method ?? 'GET', path);
    const before = fault && !('afterServer' in fault && fault.afterServer) ? fault : undefined;
    if (before && this.answered(before, req, res)) return;
    if (before?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, before.ms));
    const upstream = await forward(this.target, req, path, body);
    if (res.destroyed) return;
    if (fault && fault !== before) {
      if (fault.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      if (this.answered(fault, req, res)) return;
    }
    let payload = upstream.body;
    if (fault?.kind === 'transform')
      payload = Buffer.from(JSON.stringify(fault.change(JSON.parse(payload.toString()))));
    const headers = { ...upstream.headers, 'content-length': String(payload.length) };
    delete headers['transfer-encoding'];
    res.writeHead(upstream.status, headers);
    res.end(payload);
  }

  /** Cuts the connection or answers with the fault's own status; false for other faults. */
  private answered(fault: Fault, req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (fault.kind === 'reset') {
      req.socket.destroy();
      return true;
    }
    if (fault.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'text/html; charset=utf-8', ...fault.headers });
      res.end(fault.body ?? '');
      return true;
    }
    return false;
  }
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function forward(
  target: URL,
  req: http.IncomingMessage,
  path: string,
  body: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path,
        headers: { ...req.headers, host: target.host },
      },
      (res) => {
        void readAll(res).then(
          (data) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: data }),
          reject,
        );
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}
