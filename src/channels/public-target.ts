// Where Herald may send requests. A webhook subscription from the public status page names a URL
// anyone can choose, and a client endpoint names one staff typed in; without this rule either would
// let Herald POST into the company's own network (cloud metadata, admin ports, databases with HTTP
// interfaces). Such URLs must resolve to public addresses only, and the request goes to the very
// address that was checked: `checkedLookup` is the lookup of the socket itself, so a name that
// answers a public address to the check and 127.0.0.1 to the connection (DNS rebinding) never gets
// to connect. HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS=true lifts the rule for installations inside a
// closed network (and for tests, whose receivers run on loopback).
import { lookup as systemLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const privateRanges = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) {
  privateRanges.addSubnet(net, bits, 'ipv4');
}
// IPv4-mapped addresses (::ffff:a.b.c.d) are checked by BlockList against the IPv4 ranges above;
// ::/96 covers ::, ::1 and the deprecated IPv4-compatible form (::7f00:1), which it does not map.
for (const [net, bits] of [
  ['::', 96], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) {
  privateRanges.addSubnet(net, bits, 'ipv6');
}

/** True for loopback, private, link-local, shared, documentation, multicast and reserved addresses. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return privateRanges.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Every address a host name resolves to. */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

/** The operating system's resolver (getaddrinfo), as node's own sockets use it. */
export const systemResolver: HostResolver = (hostname) => systemLookup(hostname, { all: true, verbatim: true });

/** The rule one outgoing request is held to. */
export interface TargetRule {
  /** HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS: private and loopback addresses may be reached. */
  allowsPrivate: boolean;
  /** Resolves host names; the system resolver unless a test stands in for a hostile DNS server. */
  resolve?: HostResolver;
}

/** The refusal a checked lookup reports: the host resolved to an address the rule forbids. */
export class NonPublicTargetError extends Error {
  readonly code = 'ERR_HERALD_NON_PUBLIC_TARGET';
  constructor() {
    // No host name or URL in the text: for Slack and Teams the URL is the credential.
    super('the endpoint resolves to a non-public address (loopback, private, link-local or reserved)');
  }
}

/** The host of a URL without IPv6 brackets; WHATWG URL parsing already turned 2130706433 or 0177.0.0.1 into 127.0.0.1. */
export const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/**
 * A `lookup` for node's net/http/https sockets that resolves the name once, refuses it when any of its
 * addresses is non-public (unless the rule allows private targets), and hands exactly the checked
 * addresses to the socket. Node calls it for every connection it makes to a host name (IP literals
 * skip it: check those with isNonPublicAddress before connecting).
 */
export function checkedLookup(rule: TargetRule): LookupFunction {
  const resolve = rule.resolve ?? systemResolver;
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const addresses = options.family === 4 || options.family === 6 ? found.filter((a) => a.family === options.family) : found;
        if (!addresses.length) {
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND`), { code: 'ENOTFOUND' }), '', 0);
          return;
        }
        if (!rule.allowsPrivate && addresses.some((a) => isNonPublicAddress(a.address))) {
          callback(new NonPublicTargetError(), '', 0);
          return;
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/**
 * Why `url` may not be used as a public subscriber's webhook, or null when it may: it must be http(s)
 * and every address its host resolves to must be public, unless `allowPrivate` (the installation's
 * HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS, validated in config.ts). Answers the person signing up at
 * once; the delivery itself is held to the same rule by checkedLookup, whatever the name resolves to then.
 */
export async function publicTargetRefusal(url: string, allowPrivate: boolean, resolve: HostResolver = systemResolver): Promise<string | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be an http or https URL';
  if (parsed.username || parsed.password) return 'must not carry a user name or password';
  if (allowPrivate) return null;
  const host = hostOf(parsed);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await resolve(host)).map((a) => a.address);
    } catch {
      return 'names a host that does not resolve';
    }
  }
  if (!addresses.length || addresses.some(isNonPublicAddress)) return 'must point to a public internet address';
  return null;
}

/**
 * Why staff may not point a client's endpoint (webhook, Slack, Teams) at `url`, or null when they may:
 * the same rule as for subscribers, said when the endpoint is saved rather than at its first delivery.
 * A name that does not resolve now is taken (it may be set up before its DNS is): each delivery is
 * held to the rule by its own lookup anyway (checkedLookup), whatever the name resolves to then.
 */
export async function endpointTargetRefusal(url: string, rule: TargetRule): Promise<string | null> {
  if (rule.allowsPrivate) return null;
  let host: string;
  try {
    host = hostOf(new URL(url));
  } catch {
    return 'is not a valid URL';
  }
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await (rule.resolve ?? systemResolver)(host)).map((a) => a.address);
    } catch {
      return null;
    }
  }
  return addresses.some(isNonPublicAddress) ? 'must point to a public internet address (HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS lifts this)' : null;
}
