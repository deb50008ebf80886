// A DNS zone for the e-mail intake's sender checks (SPF, DKIM, DMARC): the machine has no internet,
// so the tests hand Herald a resolver that answers from these records, as mailauth asks for them.
// The test senders' domains, and what each publishes:
//   acme.example     SPF allows 127.0.0.1 (where the tests send from); DMARC p=reject
//   globex.example   SPF allows only 192.0.2.10 (not the tests' address); DMARC p=reject
//   initech.example  SPF allows nobody; no DMARC; DKIM key `sel1` (sign with DKIM_KEYS.initech)
//   hooli.example    SPF allows 127.0.0.1; no DMARC
//   process.example  SPF allows 127.0.0.1; no DMARC (the server-process tests)
//   timeout.example  every lookup times out (a DNS server that does not answer)
import { generateKeyPairSync } from 'node:crypto';
import type { DNSResolver } from 'mailauth';

function dkimKey() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    record: `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
  };
}

/** DKIM keys: initech's published one, and one published nowhere (a forger's). */
export const DKIM_KEYS = { initech: dkimKey(), forger: dkimKey() };

/** nodemailer's `dkim` option for a mail signed by initech.example with its published key (or another). */
export const initechDkim = (key = DKIM_KEYS.initech) => ({ domainName: 'initech.example', keySelector: 'sel1', privateKey: key.privateKey });

const TXT: Record<string, string[]> = {
  'acme.example': ['v=spf1 ip4:127.0.0.1 -all'],
  '_dmarc.acme.example': ['v=DMARC1; p=reject; adkim=r; aspf=r'],
  'globex.example': ['v=spf1 ip4:192.0.2.10 -all'],
  '_dmarc.globex.example': ['v=DMARC1; p=reject'],
  'initech.example': ['v=spf1 -all'],
  'sel1._domainkey.initech.example': [DKIM_KEYS.initech.record],
  'hooli.example': ['v=spf1 ip4:127.0.0.1 -all'],
  'process.example': ['v=spf1 ip4:127.0.0.1 -all'],
};

/** Answers TXT records from the zone above; every other name or type does not exist (ENOTFOUND), as DNS would say. */
export const testMailResolver: DNSResolver = async (name, type) => {
  if (/(^|\.)timeout\.example\.?$/i.test(name)) throw Object.assign(new Error(`queryTxt ETIMEOUT ${name}`), { code: 'ETIMEOUT' });
  const records = type === 'TXT' ? TXT[name.toLowerCase().replace(/\.$/, '')] : undefined;
  if (!records) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return records.map((r) => [r]);
};
