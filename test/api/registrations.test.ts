import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { functionDefinitions } from '../../api/functions/index.js';

describe('function registrations', () => {
  it('defines the five functions with their fixed names, methods and routes, HTTP ones anonymous', () => {
    const summary = functionDefinitions.map((definition) =>
      definition.kind === 'http'
        ? [definition.name, definition.options.methods, definition.options.route, definition.options.authLevel]
        : [definition.name, 'eventGrid'],
    );
    assert.deepEqual(summary, [
      ['negotiate', ['POST'], 'negotiate', 'anonymous'],
      ['subscribe', ['POST'], 'subscribe', 'anonymous'],
      ['unsubscribe', ['POST'], 'unsubscribe', 'anonymous'],
      ['history', ['GET'], 'streams/{stream}/history', 'anonymous'],
      ['ingest', 'eventGrid'],
    ]);
  });

  it('registers each of them from api/index.ts, the entry the Functions host loads', async () => {
    // Outside a host, @azure/functions turns each registration into a warning naming the function.
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    try {
      await import('../../api/index.js');
    } finally {
      console.warn = warn;
    }
    const registered = warnings.flatMap((line) => /register function "([^"]+)"/.exec(line)?.[1] ?? []);
    assert.deepEqual(registered, functionDefinitions.map((definition) => definition.name));
  });
});
