// A real HTTP server on 127.0.0.1 standing in for a client's webhook endpoint, Slack or Teams:
// records every request (raw body included) and answers as told: a status, headers, a delay, or
// never. No vitest imports: integration tests and benchmarks use it alike.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';

export interface ReceivedRequest {
  method: string;
  /** Path and query, e.g. "/hooks/a?x=1". */
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as received (verify signatures over this). */
  body: string;
  receivedAt: number;
}

export interface ReceiverResponse {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer only after this long. */
  delayMs?: number;
  /** Never answer (until the receiver closes). */
  hang?: boolean;
}

/** A fixed answer, a status code, or a function of the request (e.g. per path, or fail the first N). */
export type Responder = ReceiverResponse | number | ((request: ReceivedRequest, index: number) => ReceiverResponse | number);

export interface HttpReceiverOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  respond?: Responder;
}

export interface HttpReceiver {
  port: number;
  /** http://127.0.0.1:port (append any path). */
  url: string;
  requests: ReceivedRequest[];
  /** Changes how later requests are answered. */
  setResponder(respond: Responder): void;
  /** Resolves once `count` requests have arrived; rejects after timeoutMs (default 10 s). */
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Closes the server and drops every open connection, hanging ones included. */
  close(): Promise<void>;
}

function resolveResponse(respond: Responder, request: ReceivedRequest, index: number): ReceiverResponse {
  const answer = typeof respond === 'function' ? respond(request, index) : respond;
  return typeof answer === 'number' ? { status: answer } : answer;
}

export async function startHttpReceiver(options: HttpReceiverOptions = {}): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => void>();
  let respond: Responder = options.respond ?? 200;

  const answer = (res: ServerResponse, response: ReceiverResponse) => {
    if (res.destroyed) return;
    res.writeHead(response.status ?? 200, { 'content-type': 'text/plain; charset=utf-8', ...response.headers });
    res.end(response.body ?? '');
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      const index = requests.push(request) - 1;
      for (const wake of waiters) wake();
      let response: ReceiverResponse;
      try {
        response = resolveResponse(respond, request, index);
      } catch (err) {
        response = { status: 500, body: `responder threw: ${(err as Error).message}` };
      }
      if (response.hang) return;
      if (!response.delayMs) return answer(res, response);
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer(res, response);
      }, response.delayMs);
      timers.add(timer);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    setResponder(next) {
      respond = next;
    },
    waitForRequests(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        if (requests.length >= count) return resolve(requests);
        const wake = () => {
          if (requests.length < count) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(requests);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`The HTTP receiver has ${requests.length} of ${count} requests after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
