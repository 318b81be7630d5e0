/**
 * The connection string of the local service, in Azure SignalR's format. Azure omits `Port`
 * (https on 443); the local service adds it, as Microsoft's emulator does.
 */

/** What a connection string of the local service names. */
export interface ConnectionStringParts {
  /** `http://<host>` without a port. */
  endpoint: string;
  port: number;
  accessKey: string;
}

/** `Endpoint=http://127.0.0.1;Port=8888;AccessKey=<key>;Version=1.0;` */
export function formatConnectionString({ endpoint, port, accessKey }: ConnectionStringParts): string {
  return `Endpoint=${endpoint};Port=${port};AccessKey=${accessKey};Version=1.0;`;
}
