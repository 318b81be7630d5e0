/**
 * `npm run bench:store [-- --steps 10 --step-events 960 --batch 32]`: what the recent-points
 * store costs per event on Azurite as one stream's partition grows.
 *
 * Each step records `--step-events` events (in concurrent groups of `--batch`, each group's
 * deliveries noted while the next group is recorded, as a busy `ingest` does), once on the
 * growing stream and, beside it in the same step, on a stream of its own that starts empty.
 * Azurite finds a row by scanning its partition (LokiJS indexes PartitionKey and RowKey
 * separately), so a layout whose partition grows with every event gets slower per event as the
 * stream grows; Azure Table Storage's point look-ups do not. Results: bench-results/store.json
 * and a table on stdout.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startAzurite } from '../../api/local/azurite.js';
import type { LiveMessage } from '../../api/live-message.js';
import { RecentPointsStore, type MessageDraft, type RecordOutcome } from '../../api/store/recent-points-store.js';
import { ROOT } from '../e2e/support.js';

const RESULT_FILE = join(ROOT, 'bench-results/store.json');
const POINTS_PER_STREAM = 2000;

interface Step {
  eventsInStream: number;
  growingMsPerEvent: number;
  freshMsPerEvent: number;
  ratio: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { steps: { type: 'string', default: '10' }, 'step-events': { type: 'string', default: '960' }, batch: { type: 'string', default: '32' } },
  });
  const steps = Number(values.steps);
  const stepEvents = Number(values['step-events']);
  const batch = Number(values.batch);
  if (![steps, stepEvents, batch].every((value) => Number.isInteger(value) && value > 0)) {
    throw new Error('--steps, --step-events and --batch must be whole numbers above 0');
  }
  const azurite = await startAzurite();
  try {
    const store = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: 'storegrowth', pointsPerStream: POINTS_PER_STREAM });
    const results: Step[] = [];
    for (let step = 1; step <= steps; step += 1) {
      const growingMsPerEvent = await msPerEvent(store, 'bench/growing', stepEvents, batch);
      const freshMsPerEvent = await msPerEvent(store, `bench/fresh-${step}`, stepEvents, batch);
      results.push({ eventsInStream: step * stepEvents, growingMsPerEvent, freshMsPerEvent, ratio: growingMsPerEvent / freshMsPerEvent });
      console.error(`${step * stepEvents} events in the stream: ${growingMsPerEvent.toFixed(2)} ms an event (fresh stream ${freshMsPerEvent.toFixed(2)} ms)`);
    }
    const result = {
      command: ['npm run bench:store', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
      options: { steps, stepEvents, batch, pointsPerStream: POINTS_PER_STREAM },
      steps: results,
    };
    await mkdir(join(ROOT, 'bench-results'), { recursive: true });
    await writeFile(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);
    console.log('| events in the stream | growing stream, ms an event | fresh stream, ms an event | ratio |\n|---:|---:|---:|---:|');
    for (const row of results) console.log(`| ${row.eventsInStream} | ${row.growingMsPerEvent.toFixed(2)} | ${row.freshMsPerEvent.toFixed(2)} | ${row.ratio.toFixed(2)}× |`);
    console.log(`\nresults in ${RESULT_FILE}`);
  } finally {
    await azurite.stop();
  }
}

/** Records `events` one-point events on `stream`, `batch` at a time, noting each group's deliveries with the next group; the mean time an event. */
async function msPerEvent(store: RecentPointsStore, stream: string, events: number, batch: number): Promise<number> {
  const startedAt = performance.now();
  let delivered: LiveMessage[] = [];
  for (let done = 0; done < events; done += batch) {
    const drafts = Array.from({ length: Math.min(batch, events - done) }, (): MessageDraft => ({
      v: 1, stream, id: randomUUID(), time: Date.now(), series: [{ name: 'a', x: [done], y: [Math.random()] }],
    }));
    const recorded = Promise.all(drafts.map((draft) => store.record(draft)));
    const noted = Promise.all(delivered.map((message) => store.completeDelivery(message)));
    delivered = (await recorded).map(sentMessage);
    await noted;
  }
  await Promise.all(delivered.map((message) => store.completeDelivery(message)));
  return (performance.now() - startedAt) / events;
}

function sentMessage(outcome: RecordOutcome) {
  if (outcome.kind !== 'new') throw new Error(`expected a new event, got ${outcome.kind}`);
  return outcome.message;
}

await main();
