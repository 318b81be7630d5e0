/** The request of `subscribe` and `unsubscribe`: an access token and `{"stream": "<name>"}`. */
import type { HttpRequest } from '@azure/functions';
import { requireAccessToken } from '../auth/request-identity.js';
import type { Services } from '../services.js';
import type { VerifiedAccessToken } from '../signalr/client-access-tokens.js';
import { describeType, streamNameProblem } from '../streams/stream-name.js';
import { HttpProblem } from './http-problem.js';
import { readJsonBody } from './request-body.js';

const BODY_MAX_BYTES = 4096;

export interface StreamRequest {
  token: VerifiedAccessToken;
  stream: string;
}

export async function readStreamRequest(request: HttpRequest, services: Services): Promise<StreamRequest> {
  const token = await requireAccessToken(request, services);
  const body = await readJsonBody(request, { maxBytes: BODY_MAX_BYTES });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpProblem(400, 'InvalidBody', `the body must be a JSON object like {"stream": "<name>"}, not ${describeType(body)}`);
  }
  const stream = (body as { stream?: unknown }).stream;
  if (stream === undefined) throw new HttpProblem(400, 'MissingStream', 'the body has no "stream"');
  const problem = streamNameProblem(stream);
  if (problem) throw new HttpProblem(400, 'InvalidStreamName', `"stream" ${problem}`);
  return { token, stream: stream as string };
}
