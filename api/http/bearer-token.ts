/** The token of an `Authorization: Bearer <token>` header, if the request has one. */
import type { HttpRequest } from '@azure/functions';

export function bearerToken(request: HttpRequest): string | undefined {
  const header = request.headers.get('authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1] : undefined;
}
