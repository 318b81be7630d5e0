/** Bounded JSON request bodies. */
import type { HttpRequest } from '@azure/functions';
import { HttpProblem } from './http-problem.js';

/**
 * The body parsed as JSON. 415 unless the content type is JSON, 413 past `maxBytes`, 400 when
 * it is empty or not JSON. Reads no more than `maxBytes` + one chunk whatever the sender claims.
 */
export async function readJsonBody(request: HttpRequest, options: { maxBytes: number }): Promise<unknown> {
  const contentType = request.headers.get('content-type');
  if (!contentType || !/^application\/json\s*(?:;|$)/i.test(contentType.trim())) {
    throw new HttpProblem(415, 'UnsupportedMediaType', `the body must be JSON with Content-Type: application/json, not ${contentType ? JSON.stringify(contentType.slice(0, 80)) : 'no content type'}`);
  }
  const tooLarge = new HttpProblem(413, 'PayloadTooLarge', `the body is larger than ${options.maxBytes} bytes`);
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > options.maxBytes) throw tooLarge;
  const chunks: Uint8Array[] = [];
  let length = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (length > options.maxBytes) {
        await reader.cancel();
        throw tooLarge;
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpProblem(400, 'EmptyBody', 'the body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpProblem(400, 'InvalidJson', `the body is not valid JSON (${(error as Error).message.slice(0, 120)})`);
  }
}
