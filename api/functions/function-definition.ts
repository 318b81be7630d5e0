/** A function of the app as data: what `api/index.ts` registers and what a local host serves. */
import type { EventGridFunctionOptions, HttpFunctionOptions } from '@azure/functions';

export type FunctionDefinition =
  | { kind: 'http'; name: string; options: HttpFunctionOptions }
  | { kind: 'eventGrid'; name: string; options: EventGridFunctionOptions };
