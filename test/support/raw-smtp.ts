// A bare SMTP client over a real socket, for what nodemailer would not do: send DATA of any size
// without announcing it first (no SIZE= on MAIL FROM), so the server has to deal with it as it comes.
import { connect, type Socket } from 'node:net';

export interface SmtpReply {
  code: number;
  text: string;
}

export interface RawSmtp {
  /** Sends one command line and reads the (possibly multi-line) reply. */
  command(line: string): Promise<SmtpReply>;
  /** Sends a message after DATA's 354: its header, a body about `bodyBytes` long, then the final dot; the reply. */
  sendData(head: string, bodyBytes: number): Promise<SmtpReply>;
  /** Sends the header and about `bodyBytes` of body, without ending the message. */
  writeData(head: string, bodyBytes: number): Promise<void>;
  /** Ends the message (the final dot); the reply. */
  endData(): Promise<SmtpReply>;
  close(): void;
}

export async function openRawSmtp(port: number, host = '127.0.0.1'): Promise<RawSmtp> {
  const socket: Socket = connect(port, host);
  let buffer = '';
  const waiting: { resolve(reply: SmtpReply): void; reject(err: Error): void }[] = [];
  const lines: string[] = [];
  const flush = () => {
    // A reply ends with a line "NNN text" (a dash after the code means more lines follow).
    const last = lines.findIndex((l) => /^\d{3}( |$)/.test(l));
    if (last < 0 || !waiting.length) return;
    const reply = lines.splice(0, last + 1);
    waiting.shift()!.resolve({ code: Number(reply.at(-1)!.slice(0, 3)), text: reply.join('\n') });
    flush();
  };
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\r\n')) >= 0) {
      lines.push(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 2);
    }
    flush();
  });
  socket.on('error', (err) => waiting.splice(0).forEach((w) => w.reject(err)));
  socket.on('close', () => waiting.splice(0).forEach((w) => w.reject(new Error('the SMTP server closed the connection'))));
  const next = () =>
    new Promise<SmtpReply>((resolve, reject) => {
      waiting.push({ resolve, reject });
      flush();
    });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const greeting = await next();
  if (greeting.code !== 220) throw new Error(`SMTP greeting: ${greeting.text}`);
  const write = (data: string) => new Promise<void>((resolve, reject) => socket.write(data, 'latin1', (err) => (err ? reject(err) : resolve())));
  const bodyLine = `${'x'.repeat(76)}\r\n`;
  const chunk = bodyLine.repeat(Math.floor((64 * 1024) / bodyLine.length));
  const writeData = async (head: string, bodyBytes: number) => {
    await write(head.endsWith('\r\n\r\n') ? head : `${head}\r\n\r\n`);
    for (let sent = 0; sent < bodyBytes; sent += chunk.length) await write(chunk);
  };
  const endData = async () => {
    const reply = next();
    await write('.\r\n');
    return reply;
  };
  return {
    command: async (line) => {
      const reply = next();
      await write(`${line}\r\n`);
      return reply;
    },
    writeData,
    endData,
    sendData: async (head, bodyBytes) => {
      await writeData(head, bodyBytes);
      return endData();
    },
    close: () => socket.destroy(),
  };
}
