/**
 * Origins allowed by CORS in the local servers (the SignalR stand-in's `allowedOrigins`, the
 * stack's `CORS_ALLOWED_ORIGINS`), written the way a browser writes `Origin`, so that comparing
 * them is comparing strings.
 */

/**
 * An allowed origin as a browser sends it in `Origin` (`https://www.example.com`: lower case,
 * no default port), from `*` or a URL of scheme, host and port only; anything else is refused.
 */
export function normalizeOrigin(value: string): string {
  if (value === '*') return value;
  const url = URL.canParse(value) ? new URL(value) : undefined;
  // A wildcard inside a host name (`https://*.example.com`) would never equal an Origin.
  if (!url || url.origin === 'null' || url.href !== `${url.origin}/` || url.hostname.includes('*')) {
    throw new RangeError(`${JSON.stringify(value)} is not an origin such as https://www.example.com (scheme, host and port only), nor "*".`);
  }
  return url.origin;
}
