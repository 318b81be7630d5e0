/** What the browser tests and the server commands (local-stack-commands.ts) exchange. */

export type StackCommand =
  | 'stack-start'
  | 'stack-stop'
  | 'stack-publish'
  | 'stack-signalr-stop'
  | 'stack-signalr-start'
  | 'stack-send-to-group'
  | 'stack-user-in-group'
  | 'stack-user-connected';

export interface LocalStackInfo {
  id: string;
  /** The widget's `hub`: the Functions host's `/api` URL. */
  hub: string;
  signalREndpoint: string;
}

export interface PublishRequest {
  stream: string;
  /** Event `data` in either documented format. */
  data: unknown;
  eventId?: string;
}
