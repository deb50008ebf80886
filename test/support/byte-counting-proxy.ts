// A TCP proxy on 127.0.0.1 that counts the bytes a server sends through it: put between Herald and
// a test's mail server, it shows how much Herald downloaded. A byte is counted before it is passed
// on, so once the client has what it asked for, the count includes it.
import { connect, createServer, type Socket } from 'node:net';

export interface ByteCountingProxy {
  port: number;
  /** Bytes the server sent to clients through the proxy so far. */
  bytesFromServer(): number;
  close(): Promise<void>;
}

export async function startByteCountingProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<ByteCountingProxy> {
  let fromServer = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.on('data', (chunk: Buffer) => {
      fromServer += chunk.length;
      client.write(chunk);
    });
    upstream.on('end', () => client.end());
    client.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    bytesFromServer: () => fromServer,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
