/**
 * Every function of the app, without registering anything: `api/index.ts` registers them with
 * the Functions host, and the local Functions host serves the same definitions.
 */
import type { FunctionDefinition } from './function-definition.js';
import { historyFunction } from './history.js';
import { ingestFunction } from './ingest.js';
import { negotiateFunction } from './negotiate.js';
import { subscribeFunction } from './subscribe.js';
import { unsubscribeFunction } from './unsubscribe.js';

export type { FunctionDefinition } from './function-definition.js';

export const functionDefinitions: readonly FunctionDefinition[] = [
  negotiateFunction,
  subscribeFunction,
  unsubscribeFunction,
  historyFunction,
  ingestFunction,
];
