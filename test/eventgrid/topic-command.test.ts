import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AzureKeyCredential, EventGridPublisherClient } from '@azure/eventgrid';
import { LOCAL_TOPIC_KEY, LOCAL_TOPIC_PORT } from '../../api/local/eventgrid/local-topic-defaults.js';
import { parseTopicCommandLine } from '../../api/local/eventgrid/topic-command-line.js';
import { WebhookReceiver } from './webhook-receiver.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('npm run eventgrid', () => {
  it('prints its endpoint and key, subscribes the webhook given by --subscription, delivers, and stops on SIGTERM', async (t) => {
    const webhook = await WebhookReceiver.start();
    const deadLetters = await mkdtemp(path.join(tmpdir(), 'eventgrid-command-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/local/eventgrid/main.ts', '--port', '0', '--subscription', `ingest=${webhook.url}`, '--dead-letter-dir', deadLetters], {
      cwd: repositoryRoot,
      env: { ...process.env, EVENTGRID_SUBSCRIPTIONS: '', EVENTGRID_TOPIC_KEY: '' },
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    t.after(async () => {
      child.kill('SIGKILL');
      await webhook.close();
      await rm(deadLetters, { recursive: true, force: true });
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });

    await webhook.waitFor('the subscription to be active', () => output.includes("subscription 'ingest'") && output.includes('validated and active'));
    const endpoint = /endpoint\s+(http:\/\/127\.0\.0\.1:\d+\/api\/events)/.exec(output)?.[1];
    assert.ok(endpoint, output);
    assert.match(output, new RegExp(`key\\s+${LOCAL_TOPIC_KEY.replace(/[+/=]/g, '\\$&')}`));
    assert.ok(output.includes(`dead letters  ${deadLetters}`));

    const client = new EventGridPublisherClient(endpoint, 'EventGrid', new AzureKeyCredential(LOCAL_TOPIC_KEY), { allowInsecureConnection: true });
    await client.send([{ id: 'from-command', eventType: 'RealtimePlot.Points', subject: 'demo/command', dataVersion: '1', data: {} }]);
    await webhook.waitFor('the delivery', () => webhook.deliveredEvents().some((event) => event.id === 'from-command'));

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});

describe('eventgrid command line', () => {
  it('defaults to port 7072, the well-known key and no subscriptions', () => {
    const command = parseTopicCommandLine([], {});
    assert.ok(!command.help);
    assert.equal(command.options.port, LOCAL_TOPIC_PORT);
    assert.equal(command.options.key, LOCAL_TOPIC_KEY);
    assert.deepEqual(command.options.subscriptions, []);
    assert.equal(command.options.deadLetterDirectory, path.resolve('.eventgrid/dead-letters'));
  });

  it('takes subscriptions from EVENTGRID_SUBSCRIPTIONS (JSON) and --subscription, and retry settings from flags', () => {
    const command = parseTopicCommandLine(
      ['--subscription', 'two=http://127.0.0.1:9/b?x=1', '--retry-delays-ms', '10,20', '--max-delivery-attempts', '5'],
      { EVENTGRID_SUBSCRIPTIONS: '[{"name":"one","endpointUrl":"http://127.0.0.1:9/a","eventDeliverySchema":"CloudEventSchemaV1_0"}]', EVENTGRID_TOPIC_PORT: '0' },
    );
    assert.ok(!command.help);
    assert.deepEqual(command.options.subscriptions, [
      { name: 'one', endpointUrl: 'http://127.0.0.1:9/a', eventDeliverySchema: 'CloudEventSchemaV1_0' },
      { name: 'two', endpointUrl: 'http://127.0.0.1:9/b?x=1' },
    ]);
    assert.equal(command.options.port, 0);
    assert.deepEqual(command.options.retry?.delaysInMs, [10, 20]);
    assert.equal(command.options.retry?.maxDeliveryAttempts, 5);
  });

  it('refuses bad values with messages naming the option', () => {
    assert.throws(() => parseTopicCommandLine(['--subscription', 'no-url'], {}), /--subscription must be <name>=<url>, got 'no-url'/);
    assert.throws(() => parseTopicCommandLine([], { EVENTGRID_SUBSCRIPTIONS: '{oops' }), /EVENTGRID_SUBSCRIPTIONS is not valid JSON/);
    assert.throws(() => parseTopicCommandLine([], { EVENTGRID_SUBSCRIPTIONS: '{"name":"x"}' }), /must be a JSON array/);
    assert.throws(() => parseTopicCommandLine(['--port=-1'], {}), /--port must be a whole number >= 0, got '-1'/);
    assert.throws(() => parseTopicCommandLine(['--retry-delays-ms', '10,x'], {}), /--retry-delays-ms must be a whole number >= 0, got 'x'/);
  });
});
