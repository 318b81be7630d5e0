/**
 * Error answers of the publish endpoint, in Azure's shape:
 * `{"error": {"code", "message", "details": [{"code", "message"}]}}`.
 */

export interface EventGridErrorBody {
  error: { code: string; message: string; details: { code: string; message: string }[] };
}

export interface EventGridErrorResponse {
  status: number;
  body: EventGridErrorBody;
  headers?: Record<string, string>;
}

/** Top-level `code` Azure uses for each status. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

/**
 * Builds an error answer; `detailCode` names the precise failure (Azure puts e.g.
 * `InputJsonInvalid` there) and defaults to the top-level code.
 */
export function eventGridError(
  status: number,
  message: string,
  options: { detailCode?: string; headers?: Record<string, string> } = {},
): EventGridErrorResponse {
  const code = CODE_BY_STATUS[status] ?? 'Error';
  return {
    status,
    body: { error: { code, message, details: [{ code: options.detailCode ?? code, message }] } },
    headers: options.headers,
  };
}
