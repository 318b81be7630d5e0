/**
 * Files of one folder over HTTP: GET and HEAD only, no path outside the folder, a content type
 * from the extension (unknown extensions are not served), no directory listings.
 */
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  // Page scripts in TypeScript, served compiled (see demo-site.ts).
  '.ts': 'text/javascript; charset=utf-8',
};

/** The file `urlPath` names inside `directory`, or undefined when it names nothing servable there. */
export async function resolveFile(directory: string, urlPath: string): Promise<string | undefined> {
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (relative.includes('\0') || !(extname(relative) in CONTENT_TYPES)) return undefined;
  const root = resolve(directory);
  const path = resolve(join(root, relative));
  if (!path.startsWith(root + sep)) return undefined;
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? path : undefined;
}

function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path)] ?? 'application/octet-stream';
}

/** Sends `body` (or just the headers for HEAD) with the security headers every response here gets. */
export function sendBody(response: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  response.writeHead(status, {
    'content-length': String(bytes.length),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
    ...headers,
  });
  response.end(response.req.method === 'HEAD' ? undefined : bytes);
}

export async function sendFile(response: ServerResponse, path: string, headers: Record<string, string> = {}): Promise<void> {
  sendBody(response, 200, { 'content-type': contentTypeOf(path), ...headers }, await readFile(path));
}
