// SPF, DKIM and DMARC results of a received mail, for the intake to judge its sender
// (src/domain/intake/sender-authentication.ts says what passes):
//   * on Herald's SMTP listener Herald checks them itself with mailauth, from the connecting address,
//     its HELO name and MAIL FROM, looking the records up through the given DNS resolver;
//   * in an IMAP mailbox the mail was received by another server: Herald reads the Authentication-
//     Results header (RFC 8601) that server added, named by its authserv-id. Only its topmost
//     header(s) count: from the first one with that id down to the next Received header. Anything
//     further down was in the mail before that server took it, and anyone can write those.
import { authenticate, type DNSResolver } from 'mailauth';
import addressparser from 'nodemailer/lib/addressparser';
import type { AuthenticationResults } from '../domain/intake/sender-authentication.js';

export type { DNSResolver };

export interface SmtpEnvelope {
  /** The connecting client's IP address. */
  remoteAddress: string;
  /** The name it gave with HELO/EHLO (empty if none). */
  helo: string;
  /** The MAIL FROM address (empty for a bounce). */
  mailFrom: string;
}

/** Where a raw mail came from, as far as its sender's authenticity goes. */
export type MailOrigin =
  /** Received by Herald's own SMTP listener: checked here. */
  | { via: 'smtp'; envelope: SmtpEnvelope }
  /** Fetched from a mailbox: the receiving server's Authentication-Results header says (authservId null: no server is trusted). */
  | { via: 'imap'; trustedAuthservId: string | null }
  /** Handed in by this process itself (tests, imports): taken as authenticated. */
  | { via: 'trusted' };

const domainOf = (address: string | null | undefined) => {
  if (!address) return null;
  const at = address.lastIndexOf('@');
  return (at >= 0 ? address.slice(at + 1) : address).trim().toLowerCase() || null;
};

/** Checks SPF (for the connecting address and MAIL FROM), every DKIM signature and DMARC of the From domain. */
export async function checkSmtpSender(raw: Buffer, envelope: SmtpEnvelope, resolver: DNSResolver | undefined): Promise<AuthenticationResults> {
  const result = await authenticate(raw, {
    ip: envelope.remoteAddress,
    helo: envelope.helo || envelope.remoteAddress,
    sender: envelope.mailFrom,
    mta: 'herald-intake',
    ...(resolver && { resolver }),
    // ARC and BIMI do not decide anything here: not looked up.
    disableArc: true,
    disableBimi: true,
  });
  const dmarc = result.dmarc;
  return {
    fromAddresses: result.dkim.headerFrom,
    dmarc: dmarc ? { result: dmarc.status.result, policy: dmarc.policy ?? null } : null,
    spf: result.spf ? { result: result.spf.status.result, domain: result.spf.domain ?? null } : null,
    dkim: result.dkim.results.map((d) => ({ result: d.status.result, domain: d.signingDomain ?? null })),
  };
}

interface HeaderLine {
  name: string;
  value: string;
}

/** The header section of a raw mail, unfolded, top to bottom. */
export function headerLines(raw: Buffer | string): HeaderLine[] {
  const bytes = typeof raw === 'string' ? Buffer.from(raw) : raw;
  // Only the header section is decoded (the body may be megabytes): it ends at the first empty line.
  const ends = [bytes.indexOf('\r\n\r\n'), bytes.indexOf('\n\n')].filter((i) => i >= 0);
  const section = bytes.subarray(0, ends.length ? Math.min(...ends) : bytes.length).toString('utf8');
  const lines: HeaderLine[] = [];
  for (const line of section.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && lines.length) lines[lines.length - 1]!.value += ` ${line.trim()}`;
    else {
      const colon = line.indexOf(':');
      if (colon > 0) lines.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
    }
  }
  return lines;
}

/** Removes RFC 5322 comments (nested parentheses), keeping quoted strings as they are. */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && (quoted || depth)) {
      if (!depth) out += c + (value[i + 1] ?? '');
      i++;
    } else if (quoted) {
      out += c;
      if (c === '"') quoted = false;
    } else if (c === '"' && !depth) {
      quoted = true;
      out += c;
    } else if (c === '(') depth++;
    else if (c === ')' && depth) {
      depth--;
      if (!depth) out += ' ';
    } else if (!depth) out += c;
  }
  return out;
}

/** Splits on a separator outside quoted strings. */
function splitOutsideQuotes(value: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && quoted) {
      current += c + (value[i + 1] ?? '');
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (!quoted && separator.test(c)) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

const unquote = (v: string) => (v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);

export interface AuthenticationResultsHeader {
  authservId: string;
  /** One entry per result: method (spf, dkim, dmarc…), result and properties (smtp.mailfrom, header.d…). */
  results: { method: string; result: string; properties: Record<string, string> }[];
}

/** Parses one Authentication-Results header value (RFC 8601 §2.2); null when it is not one. */
export function parseAuthenticationResults(value: string): AuthenticationResultsHeader | null {
  const [head, ...resinfos] = splitOutsideQuotes(withoutComments(value), /;/);
  const authservId = unquote(head?.split(/\s+/)[0] ?? '').toLowerCase();
  if (!authservId) return null;
  const results: AuthenticationResultsHeader['results'] = [];
  for (const resinfo of resinfos) {
    const [methodspec, ...rest] = splitOutsideQuotes(resinfo, /\s/);
    const m = /^([a-z0-9_-]+)(?:\/\d+)?\s*=\s*([a-z]+)$/i.exec(methodspec ?? '');
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const prop of rest) {
      const eq = prop.indexOf('=');
      if (eq > 0) properties[prop.slice(0, eq).toLowerCase()] = unquote(prop.slice(eq + 1));
    }
    results.push({ method: m[1]!.toLowerCase(), result: m[2]!.toLowerCase(), properties });
  }
  return { authservId, results };
}

/**
 * The results the trusted receiving server recorded in its topmost Authentication-Results header(s):
 * from the first header with its authserv-id down to the next Received header. null when it added none.
 */
export function trustedAuthenticationResults(raw: Buffer | string, trustedAuthservId: string): AuthenticationResults | null {
  const lines = headerLines(raw);
  const trusted = trustedAuthservId.toLowerCase();
  const found: AuthenticationResultsHeader[] = [];
  for (const line of lines) {
    if (found.length && line.name === 'received') break;
    if (line.name !== 'authentication-results') continue;
    const parsed = parseAuthenticationResults(line.value);
    if (parsed?.authservId === trusted) found.push(parsed);
  }
  if (!found.length) return null;
  const fromAddresses = lines
    .filter((l) => l.name === 'from')
    .flatMap((l) => addressparser(l.value, { flatten: true }))
    .map((a) => a.address)
    .filter(Boolean);
  const fromDomain = fromAddresses.length === 1 ? domainOf(fromAddresses[0]) : null;
  const all = found.flatMap((h) => h.results);
  // A DMARC result about another From domain than the one this mail shows does not describe this mail.
  const dmarc = all.find((r) => r.method === 'dmarc' && (!r.properties['header.from'] || r.properties['header.from'].toLowerCase() === fromDomain));
  const spf = all.find((r) => r.method === 'spf');
  return {
    fromAddresses,
    dmarc: dmarc ? { result: dmarc.result, policy: dmarc.properties['policy.dmarc'] ?? null } : null,
    spf: spf ? { result: spf.result, domain: domainOf(spf.properties['smtp.mailfrom'] ?? spf.properties['smtp.helo']) } : null,
    // dkim=none says the mail had no signature: nothing to list.
    dkim: all.filter((r) => r.method === 'dkim' && r.result !== 'none').map((r) => ({ result: r.result, domain: domainOf(r.properties['header.d'] ?? r.properties['header.i']) })),
  };
}
