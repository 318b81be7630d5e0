/**
 * Azure SignalR Service connection strings:
 * `Endpoint=https://<name>.service.signalr.net;AccessKey=<key>;Version=1.0;` and, for a local
 * service, `Endpoint=http://localhost;Port=8888;AccessKey=<key>;Version=1.0;`.
 */

/** Where a SignalR Service is and how to sign for it. */
export interface SignalRServiceEndpoint {
  /** Base URL for requests, with the port when one is set: `http://localhost:8888`. */
  baseUrl: string;
  /**
   * Base of token audiences, `{scheme}://{host}` without the port: the service builds its
   * expected audience that way, while clients connect to the URL with the port.
   */
  audienceBase: string;
  /** The key tokens are signed with (HS256 over its UTF-8 bytes). */
  accessKey: string;
}

/** A connection string that cannot be used. The message never contains the key. */
export class ConnectionStringError extends Error {
  constructor(problem: string) {
    super(`SignalR connection string ${problem}`);
    this.name = 'ConnectionStringError';
  }
}

const MAX_LENGTH = 4096;

export function parseSignalRConnectionString(connectionString: string): SignalRServiceEndpoint {
  if (connectionString.length > MAX_LENGTH) throw new ConnectionStringError(`is longer than ${MAX_LENGTH} characters`);
  const fields = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    if (part.trim() === '') continue;
    // The key is base64 and may end in '=', so only the first '=' separates name and value.
    const separator = part.indexOf('=');
    if (separator <= 0) throw new ConnectionStringError('has a part that is not name=value');
    fields.set(part.slice(0, separator).trim().toLowerCase(), part.slice(separator + 1).trim());
  }

  const authType = fields.get('authtype');
  if (authType !== undefined && authType.toLowerCase() !== 'accesskey') {
    throw new ConnectionStringError(`uses AuthType=${authType.slice(0, 32)}; only access-key connection strings are supported`);
  }
  const version = fields.get('version');
  if (version !== undefined && version !== '1.0') {
    throw new ConnectionStringError(`has Version=${version.slice(0, 16)}; only Version=1.0 is supported`);
  }
  const endpoint = fields.get('endpoint');
  if (!endpoint) throw new ConnectionStringError('has no Endpoint');
  const accessKey = fields.get('accesskey');
  if (!accessKey) throw new ConnectionStringError('has no AccessKey');

  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConnectionStringError('has an Endpoint that is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConnectionStringError('has an Endpoint that is not http: or https:');
  }
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    throw new ConnectionStringError('has an Endpoint with more than scheme, host and port');
  }
  const port = fields.get('port');
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      throw new ConnectionStringError('has a Port that is not 1 to 65535');
    }
    url.port = port;
  }
  return {
    baseUrl: url.origin,
    audienceBase: `${url.protocol}//${url.hostname}`,
    accessKey,
  };
}
