// Which URLs an extension may fetch through the host: the allow-list of its manifest, and no private
// address unless the grant names one (so a public name that resolves to 127.0.0.1 is refused).
import { BlockList, isIP } from 'node:net';

/** Loopback, private, link-local, CGNAT, multicast and unspecified ranges, IPv4 and IPv6 (with the IPv4-carrying forms). */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
// Besides loopback, unique-local, link-local and multicast: the forms that carry an IPv4 address
// inside (IPv4-compatible ::/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16) and the
// old site-local fec0::/10. Refused whole: which IPv4 address they reach is the network's business.
for (const [net, prefix] of [
  ['::', 96],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address is loopback, private, link-local or otherwise not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4');
  return PRIVATE.check(address, 'ipv6');
}

/** The grant a URL matched, and whether that grant may reach private addresses. */
export interface NetworkMatch {
  readonly grant: string;
  readonly allowPrivate: boolean;
}

/** A grant split into its parts. */
function parseGrant(grant: string): { host: string; wildcard: boolean; port: number | undefined } {
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d+))?$/.exec(grant);
  if (v6) return { host: v6[1]!, wildcard: false, port: v6[2] ? Number(v6[2]) : undefined };
  const [name, port] = grant.split(':') as [string, string | undefined];
  const wildcard = name.startsWith('*.');
  return { host: wildcard ? name.slice(2) : name, wildcard, port: port ? Number(port) : undefined };
}

/** A grant names a private host when it is `localhost` or a private IP literal (e.g. `127.0.0.1:11434`). */
function namesPrivateHost(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host);
}

/**
 * Matches a URL against `permissions.network`: `http:` and `https:` only; `name` matches that host
 * on ports 443 and 80, `name:port` on that port, `*.name` any subdomain of `name` (not `name`
 * itself), `[v6]` an IPv6 literal. Undefined when no grant allows it.
 */
export function matchNetworkGrant(url: URL, grants: readonly string[]): NetworkMatch | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const host = url.hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  for (const grant of grants) {
    const rule = parseGrant(grant);
    const hostOk = rule.wildcard ? host.endsWith(`.${rule.host}`) : host === rule.host;
    const portOk = rule.port === undefined ? port === 443 || port === 80 : port === rule.port;
    if (hostOk && portOk) return { grant, allowPrivate: namesPrivateHost(rule.host) };
  }
  return undefined;
}
