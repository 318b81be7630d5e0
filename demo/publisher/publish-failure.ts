/**
 * A failed publish request, told the way a user can act on it: the topic's own error message
 * for refusals (from `{"error": {"code", "message"}}`), the reason for an unreachable topic, and
 * whether trying again can help.
 */

export interface PublishFailure {
  /** One line, without a stack trace. */
  message: string;
  /** The same request would fail again (wrong key, wrong endpoint, an event the topic refuses). */
  permanent: boolean;
}

interface SdkError {
  name?: string;
  message?: string;
  statusCode?: number;
  code?: string;
}

const HINT_BY_STATUS: Record<number, string> = {
  401: 'Check EVENTGRID_TOPIC_KEY or EVENTGRID_TOPIC_SAS.',
  403: 'Check EVENTGRID_TOPIC_KEY or EVENTGRID_TOPIC_SAS, and the topic\'s network settings.',
  404: 'Check EVENTGRID_TOPIC_ENDPOINT; it ends in /api/events.',
  413: 'Send fewer events per request (--batch) or fewer series.',
};

export function describePublishFailure(error: unknown, endpoint: string): PublishFailure {
  const sdkError = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SdkError;
  const message = (sdkError.message ?? String(error)).split('\n')[0];
  if (sdkError.statusCode === undefined) {
    const code = sdkError.code && !message.includes(sdkError.code) ? ` (${sdkError.code})` : '';
    return { message: `Cannot reach the topic at ${endpoint}: ${message}${code}`, permanent: false };
  }
  const status = sdkError.statusCode;
  const hint = HINT_BY_STATUS[status];
  return {
    message: `The topic refused the request (${status}${sdkError.code ? ` ${sdkError.code}` : ''}): ${message}${hint ? ` ${hint}` : ''}`,
    permanent: status >= 400 && status < 500 && status !== 408 && status !== 429,
  };
}
