import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AzureKeyCredential, EventGridDeserializer, generateSharedAccessSignature } from '@azure/eventgrid';
import type { LocalEventGridTopic } from '../../api/local/eventgrid/topic.js';
import { startTopicWithWebhook, stopTopicWithWebhook } from '../eventgrid/topic-with-webhook.js';
import { WebhookReceiver } from '../eventgrid/webhook-receiver.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs `npm run publish -- <args>` as its own process (node + tsx, as the npm script does). */
function publishCommand(args: string[], env: Record<string, string>): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'demo/publisher/main.ts', ...args], {
      cwd: repositoryRoot,
      env: { ...process.env, EVENTGRID_TOPIC_ENDPOINT: '', EVENTGRID_TOPIC_KEY: '', EVENTGRID_TOPIC_SAS: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
  });
}

describe('npm run publish against the local topic', () => {
  let topic: LocalEventGridTopic;
  let webhook: WebhookReceiver;
  before(async () => ({ topic, webhook } = await startTopicWithWebhook()));
  after(() => stopTopicWithWebhook({ topic, webhook }));

  it('publishes exactly --count events per stream in the seed format, and says so', async () => {
    const run = await publishCommand(['--count', '6', '--stream', 'demo/seed-a,demo/seed-b', '--rate', '50', '--batch', '4', '--format', 'seed'],
      { EVENTGRID_TOPIC_ENDPOINT: topic.endpoint, EVENTGRID_TOPIC_KEY: topic.key });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^Published 12 of 12 events to ${topic.endpoint} in 3 requests .*; 0 failed; all events published\\.$`, 'm'));
    await topic.whenIdle();

    const events = webhook.deliveredEvents().filter((event) => String(event.subject).startsWith('demo/seed-'));
    assert.equal(events.length, 12);
    assert.equal(new Set(events.map((event) => event.id)).size, 12);
    for (const stream of ['demo/seed-a', 'demo/seed-b']) {
      const ofStream = events.filter((event) => event.subject === stream);
      assert.deepEqual(ofStream.map((event) => (event.data as { X: number }[])[0].X).sort(), [0, 1, 2, 3, 4, 5]);
      for (const event of ofStream) {
        const data = event.data as { X: number; Y: number }[];
        assert.ok(Array.isArray(data) && data.length === 2, 'the seed array arrives as an array');
        assert.ok(data.every(({ Y }) => Number.isInteger(Y) && Y >= 1 && Y <= 99));
      }
    }
    const deliveries = webhook.notifications().filter((request) => request.body.includes('demo/seed-'));
    assert.equal((await new EventGridDeserializer().deserializeEventGridEvents(deliveries[0].body)).length, 1);
  });

  it('publishes CloudEvents in the points format with a SAS (EVENTGRID_TOPIC_SAS)', async () => {
    const sas = await generateSharedAccessSignature(topic.endpoint, new AzureKeyCredential(topic.key), new Date(Date.now() + 10 * 60_000));
    const run = await publishCommand(['--count', '3', '--stream', 'demo/ce', '--schema', 'cloudevents', '--series', 'inside,outside', '--shape', 'sine', '--rate', '50'],
      { EVENTGRID_TOPIC_ENDPOINT: topic.endpoint, EVENTGRID_TOPIC_SAS: sas });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /^Published 3 of 3 events/m);
    await topic.whenIdle();

    const events = webhook.deliveredEvents().filter((event) => event.subject === 'demo/ce');
    assert.equal(events.length, 3);
    for (const event of events) {
      assert.equal(event.specversion, '1.0');
      const { points } = event.data as { points: { series: string; x: number; y: number }[] };
      assert.deepEqual(points.map((point) => point.series), ['inside', 'outside']);
      assert.ok(points.every((point) => Number.isFinite(point.x) && point.y >= 10 && point.y <= 90));
    }
  });

  it('reports a wrong key with the topic\'s message, no stack trace, and exit code 1', async () => {
    const run = await publishCommand(['--count', '3'], { EVENTGRID_TOPIC_ENDPOINT: topic.endpoint, EVENTGRID_TOPIC_KEY: Buffer.from('wrong key').toString('base64') });
    assert.equal(run.exitCode, 1);
    assert.match(run.stderr, /The topic refused the request \(401 Unauthorized\): The request authorization key is not authorized for topic 'realtime-plot-local'/);
    assert.match(run.stderr, /Check EVENTGRID_TOPIC_KEY or EVENTGRID_TOPIC_SAS\./);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
    assert.match(run.stdout, /^Published 0 of 3 events .*1 failed; stopped by a failure\.$/m);
  });

  it('reports a request the topic refuses as too large with its message and what to change', async () => {
    const run = await publishCommand(['--count', '6000', '--batch', '6000', '--rate', '100000'], { EVENTGRID_TOPIC_ENDPOINT: topic.endpoint });
    assert.equal(run.exitCode, 1);
    assert.match(run.stderr, /The topic refused the request \(413 RequestEntityTooLarge\): The request is larger than 1048576 bytes \(1 MB\)/);
    assert.match(run.stderr, /Send fewer events per request \(--batch\)/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
    assert.match(run.stdout, /^Published 0 of 6000 events .*6000 failed; stopped by a failure\.$/m);
  });

  it('reports an unreachable topic clearly and exits with 1', async () => {
    const closed = await WebhookReceiver.start();
    await closed.close();
    const endpoint = new URL('/api/events', closed.url).href;
    const run = await publishCommand(['--count', '1', '--max-retries', '0'], { EVENTGRID_TOPIC_ENDPOINT: endpoint });
    assert.equal(run.exitCode, 1);
    assert.match(run.stderr, new RegExp(`Cannot reach the topic at ${endpoint}: .*ECONNREFUSED`));
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  it('lists every option and environment variable with --help', async () => {
    const run = await publishCommand(['--help'], {});
    assert.equal(run.exitCode, 0);
    for (const option of ['--stream', '--series', '--rate', '--count', '--duration', '--batch', '--schema', '--shape', '--format', '--concurrency', '--max-retries', '--endpoint',
      'EVENTGRID_TOPIC_ENDPOINT', 'EVENTGRID_TOPIC_KEY', 'EVENTGRID_TOPIC_SAS', 'random-walk', 'sawtooth', 'cloudevents']) {
      assert.ok(run.stdout.includes(option), option);
    }
  });

  it('refuses bad options with a usage message and exit code 2', async () => {
    for (const [args, says] of [
      [['--rate', '0'], /--rate must be a number > 0, got '0'/],
      [['--shape', 'square'], /--shape must be one of random-walk, sine, sawtooth, random/],
      [['--stream', '/demo'], /--stream '\/demo' may hold only/],
      [['--bogus'], /Unknown option '--bogus'/],
    ] as const) {
      const run = await publishCommand([...args], { EVENTGRID_TOPIC_ENDPOINT: topic.endpoint });
      assert.equal(run.exitCode, 2, args.join(' '));
      assert.match(run.stderr, says);
    }
  });
});
