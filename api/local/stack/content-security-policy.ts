/**
 * The Content-Security-Policy a page embedding `<realtime-plot>` needs, and nothing more (no
 * `unsafe-eval`, no `unsafe-inline`). Checked in Chromium by the CMS page end-to-end test.
 *
 * - `script-src`: the origin the widget script comes from (its lazy Plotly chunk comes from the
 *   same place).
 * - `connect-src`: the API (negotiate, subscribe, history) and the SignalR Service, as http(s)
 *   for negotiate, Server-Sent Events and long polling, and ws(s) for WebSockets.
 * - `style-src`: the hash of an empty inline style. Plotly injects one empty `<style>` into the
 *   document and adds its rules through the CSSOM (which CSP does not govern); the widget adopts
 *   those rules into its shadow root as constructed stylesheets (not governed either). Without
 *   the hash the `<style>` is blocked and Plotly's modebar and layers lose their styles.
 * - `img-src blob:`: the PNG download (Plotly renders the chart's SVG through a blob: image onto
 *   a canvas). Without it only that button fails.
 */

/** `'sha256-' + base64(sha256(''))`: allows exactly an empty inline style element. */
const EMPTY_INLINE_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='";

export interface WidgetPolicyOrigins {
  /** Where the widget script is loaded from, e.g. `https://cdn.example.com`. */
  widgetOrigin: string;
  /** Origin of the `hub` URL (the Function App). */
  apiOrigin: string;
  /** Origin of the SignalR Service endpoint, http(s). */
  signalROrigin: string;
  /** Extra sources of the page itself, per directive (e.g. its own stylesheet). */
  pageSources?: Partial<Record<'script-src' | 'style-src' | 'img-src' | 'connect-src', string[]>>;
}

export function widgetContentSecurityPolicy(origins: WidgetPolicyOrigins): string {
  const page = origins.pageSources ?? {};
  const directives: [string, string[]][] = [
    ['default-src', ["'none'"]],
    ['script-src', [origins.widgetOrigin, ...(page['script-src'] ?? [])]],
    ['connect-src', [origins.apiOrigin, origins.signalROrigin, webSocketOrigin(origins.signalROrigin), ...(page['connect-src'] ?? [])]],
    ['style-src', [EMPTY_INLINE_STYLE_HASH, ...(page['style-src'] ?? [])]],
    ['img-src', ['blob:', ...(page['img-src'] ?? [])]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return directives
    .filter(([, sources]) => sources.length > 0)
    .map(([name, sources]) => `${name} ${[...new Set(sources)].join(' ')}`)
    .join('; ');
}

/** `http://host:port` -> `ws://host:port`, `https://...` -> `wss://...`. */
function webSocketOrigin(httpOrigin: string): string {
  return httpOrigin.replace(/^http/, 'ws');
}
