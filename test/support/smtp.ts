import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { TEST_SETUP, type TestWorld } from './examgate-under-test.js';

/** One message as the server received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  headers: Record<string, string>;
  /** The text body, transfer encoding undone. */
  text: string;
  raw: string;
}

/** What the next transactions get: accepted, or refused with an SMTP code (4xx: try later, 5xx: for good). */
export type Refusal = { code: number; message: string } | null;

function decode(body: string, encoding: string | undefined): string {
  if (encoding?.toLowerCase() === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  if (encoding?.toLowerCase() === 'base64') {
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return body;
}

function parse(raw: string, from: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    from,
    to,
    headers,
    text: decode(raw.slice(split + 4), headers['content-transfer-encoding'])
      .replace(/\r\n/g, '\n')
      .trimEnd(),
    raw,
  };
}

/**
 * A real SMTP server on 127.0.0.1 (smtp-server), no TLS, no login, for the tests: it keeps what
 * it receives, can refuse (`refuse`) and can be stopped and started again on the same port, as
 * a relay that goes down and comes back.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  refusal: Refusal = null;
  /** Refusals of single recipients (by address), each for its next `times` transactions (all of them when absent). */
  readonly refuseRecipient = new Map<string, { code: number; message: string; times?: number }>();
  /** A recipient whose RCPT TO is never answered (a relay that hangs mid-message), until set back to null. */
  stallRecipient: string | null = null;
  /** Whether a transaction is hanging on `stallRecipient` now. */
  stalled = 0;
  /** How many transactions were refused. */
  refused = 0;
  #server: SMTPServer | null = null;
  port = 0;

  private constructor(private readonly extra: Partial<SMTPServerOptions>) {}

  static async start(extra: Partial<SMTPServerOptions> = {}): Promise<TestSmtpServer> {
    const server = new TestSmtpServer(extra);
    await server.up();
    return server;
  }

  async up(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      ...this.extra,
      onRcptTo: (address, _session, callback) => {
        if (address.address === this.stallRecipient) {
          this.stalled += 1;
          return;
        }
        const one = this.refuseRecipient.get(address.address);
        if (one && (one.times === undefined || one.times > 0)) {
          if (one.times !== undefined) {
            one.times -= 1;
          }
          this.refused += 1;
          callback(Object.assign(new Error(one.message), { responseCode: one.code }));
          return;
        }
        if (this.refusal) {
          this.refused += 1;
          callback(Object.assign(new Error(this.refusal.message), { responseCode: this.refusal.code }));
          return;
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const to = session.envelope.rcptTo.map((r) => r.address);
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          this.received.push(parse(Buffer.concat(chunks).toString('utf8'), from, to));
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening (connections are refused) until `up()`. */
  async down(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Waits until `count` messages have arrived (or fails after `ms`). */
  async waitFor(count: number, ms = 10_000): Promise<ReceivedMail[]> {
    const until = Date.now() + ms;
    while (this.received.length < count) {
      if (Date.now() > until) {
        throw new Error(`expected ${count} messages, the SMTP server has ${this.received.length}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.received;
  }
}

/** Points examgate's mail settings at a test relay on this machine (plain SMTP, no login). */
export function relayTo(world: TestWorld, port: number, security: 'none' | 'starttls' | 'tls' = 'none', fromName: string | null = null) {
  return world.examgate.mail.mailSettings.save(
    { host: '127.0.0.1', port, security, username: null, fromAddress: 'exams@uni.example', fromName, password: { kind: 'keep' } },
    TEST_SETUP,
  );
}
