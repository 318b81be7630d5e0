/**
 * HTTP routes of the functions, as the Functions host matches them under `/api`: the route
 * template (default: the function name), literal segments case-insensitive, `{name}` segments
 * bound to `request.params`, the method among the function's methods (else no match: the host
 * answers 404, not 405).
 */
import type { HttpFunctionOptions } from '@azure/functions';

export interface HttpRoute {
  name: string;
  options: HttpFunctionOptions;
}

export interface RouteMatch {
  route: HttpRoute;
  params: Record<string, string>;
}

type Segment = { literal: string } | { parameter: string };

interface CompiledRoute {
  route: HttpRoute;
  segments: Segment[];
  methods: Set<string>;
}

const PARAMETER = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export class RouteTable {
  readonly #routes: CompiledRoute[];

  constructor(routes: readonly HttpRoute[]) {
    this.#routes = routes.map((route) => ({
      route,
      segments: compile(route.options.route ?? route.name),
      methods: new Set((route.options.methods ?? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).map((method) => method.toUpperCase())),
    }));
  }

  /** `rawPath` is the path after `/api/`, still percent-encoded. */
  match(method: string, rawPath: string): RouteMatch | undefined {
    const parts = rawPath.split('/').map(decodeSegment);
    for (const compiled of this.#routes) {
      if (!compiled.methods.has(method) || compiled.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const matches = compiled.segments.every((segment, index) => {
        const decoded = parts[index];
        if (decoded === undefined || decoded === '') return false;
        if ('literal' in segment) return segment.literal === decoded.toLowerCase();
        params[segment.parameter] = decoded;
        return true;
      });
      if (matches) return { route: compiled.route, params };
    }
    return undefined;
  }
}

function compile(template: string): Segment[] {
  return template
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .map((part) => {
      const parameter = PARAMETER.exec(part);
      if (parameter) return { parameter: parameter[1] };
      if (part.includes('{') || part.includes('}')) throw new Error(`route template segment "${part}" is not supported by the local host`);
      return { literal: part.toLowerCase() };
    });
}

/** Percent-decodes a segment as Kestrel does: everything but `%2F`, which stays encoded. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment.replace(/%2F/gi, '%252F'));
  } catch {
    return undefined;
  }
}
