/**
 * Who a request comes from, for rate limits. Azure's front end (and the local Functions host)
 * appends the caller's address to `X-Forwarded-For`; entries further left are whatever the
 * caller sent and cannot be trusted. `trustedProxyHops` skips proxies of the operator's own
 * (e.g. Front Door) that append after the caller.
 */
import type { HttpRequest } from '@azure/functions';

export function clientAddress(request: HttpRequest, trustedProxyHops = 0): string {
  const entries = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const entry = entries[entries.length - 1 - trustedProxyHops] ?? entries[0];
  return entry ? withoutPort(entry).slice(0, 64) : 'unknown';
}

/** `1.2.3.4:5678` -> `1.2.3.4`; `[::1]:5678` -> `::1`; a bare IPv6 address stays as it is. */
function withoutPort(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1];
  const ipv4WithPort = /^([^:]+):\d+$/.exec(address);
  return ipv4WithPort ? ipv4WithPort[1] : address;
}
