/** What the request handlers of one running service share. */
import type { ConnectionHost } from './client-connection.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { ResolvedOptions } from './options.js';
import type { WriteBatcher } from './transports/write-batcher.js';

export interface ServiceContext {
  readonly options: ResolvedOptions;
  /** The AccessKey's UTF-8 bytes, the HS256 key. */
  readonly key: Uint8Array;
  readonly registry: ConnectionRegistry;
  readonly connectionHost: ConnectionHost;
  readonly batcher: WriteBatcher;
  /** Set by stop(): no new connections are accepted. */
  stopping: boolean;
}
