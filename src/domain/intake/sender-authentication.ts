// Whether a received mail really comes from the domain of its `From:` address, judged from the SPF,
// DKIM and DMARC results (checked by Herald on its SMTP listener, or read from the Authentication-
// Results header of a trusted receiving server for an IMAP mailbox). Pure: the checks are done elsewhere.
//
// What passes (docs/intake.md, "Sender authentication"):
//   * the From domain publishes DMARC: DMARC pass, nothing else (a DMARC fail fails whatever its
//     policy says, p=none included: the policy tells receivers what to do with mail, not whether it
//     is authentic);
//   * no DMARC record: an SPF or DKIM pass for an aligned domain (the From domain itself, or a parent
//     or subdomain of it). This is stricter than DMARC's relaxed alignment, which also accepts
//     sibling subdomains of one organisational domain: telling those apart needs the public-suffix
//     list, and a domain that wants its subdomains to vouch for each other can publish DMARC;
//   * anything else fails: no From address or several, a DMARC result that could not be evaluated
//     (temperror, permerror), or no aligned pass.

/** One method's result as RFC 8601 names them: pass, fail, softfail, neutral, none, temperror, permerror, policy. */
export type AuthResult = string;

export interface AuthenticationResults {
  /** The addresses of the From header(s): exactly one for a mail that can pass. */
  fromAddresses: string[];
  /** null: DMARC was not evaluated (a receiving server that does not report it counts as "no record"). */
  dmarc: { result: AuthResult; policy: string | null } | null;
  /** The domain SPF checked (MAIL FROM's, or HELO's for a null sender). */
  spf: { result: AuthResult; domain: string | null } | null;
  /** One entry per DKIM signature, with its signing domain (d=). */
  dkim: { result: AuthResult; domain: string | null }[];
}

export type SenderVerdict =
  | { isAuthenticated: true; method: 'dmarc' | 'dkim' | 'spf' | 'not_checked'; explanation: string }
  | { isAuthenticated: false; explanation: string };

const normalise = (domain: string) => domain.trim().toLowerCase().replace(/\.$/, '');

/** The same domain, or one a subdomain of the other (label boundaries only: x-acme.example is not acme.example). */
export function isAligned(authenticated: string | null, fromDomain: string): boolean {
  if (!authenticated) return false;
  const a = normalise(authenticated);
  const f = normalise(fromDomain);
  if (!a || !f) return false;
  return a === f || a.endsWith(`.${f}`) || f.endsWith(`.${a}`);
}

const describeSpf = (spf: AuthenticationResults['spf']) => (spf ? `SPF ${spf.result}${spf.domain ? ` for ${spf.domain}` : ''}` : 'no SPF result');
const describeDkim = (dkim: AuthenticationResults['dkim']) =>
  dkim.length ? dkim.map((d) => `DKIM ${d.result}${d.domain ? ` for ${d.domain}` : ''}`).join(', ') : 'no DKIM signature';

export function judgeSender(results: AuthenticationResults): SenderVerdict {
  const addresses = [...new Set(results.fromAddresses.map(normalise).filter(Boolean))];
  if (addresses.length !== 1) return { isAuthenticated: false, explanation: addresses.length ? 'the From header names several addresses' : 'the mail has no From address' };
  const at = addresses[0]!.lastIndexOf('@');
  const from = at > 0 ? addresses[0]!.slice(at + 1) : '';
  if (!from) return { isAuthenticated: false, explanation: 'the From address has no domain' };
  const { dmarc, spf, dkim } = results;
  const policy = dmarc?.policy ? ` (p=${dmarc.policy.toLowerCase()})` : '';
  if (dmarc?.result === 'pass') return { isAuthenticated: true, method: 'dmarc', explanation: `DMARC pass for ${from}` };
  if (dmarc?.result === 'fail') return { isAuthenticated: false, explanation: `DMARC fail for ${from}${policy}: ${describeSpf(spf)}; ${describeDkim(dkim)}` };
  if (dmarc && dmarc.result !== 'none') return { isAuthenticated: false, explanation: `DMARC could not be evaluated for ${from} (${dmarc.result})` };
  const noPolicy = dmarc ? `${from} publishes no DMARC policy` : `no DMARC result for ${from}`;
  const signed = dkim.find((d) => d.result === 'pass' && isAligned(d.domain, from));
  if (signed) return { isAuthenticated: true, method: 'dkim', explanation: `DKIM pass for ${signed.domain} (${noPolicy})` };
  if (spf?.result === 'pass' && isAligned(spf.domain, from)) return { isAuthenticated: true, method: 'spf', explanation: `SPF pass for ${spf.domain} (${noPolicy})` };
  return { isAuthenticated: false, explanation: `no SPF or DKIM pass aligned with ${from} (${noPolicy}): ${describeSpf(spf)}; ${describeDkim(dkim)}` };
}
