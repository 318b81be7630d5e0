import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LOCAL_TOPIC_ENDPOINT, LOCAL_TOPIC_KEY } from '../../api/local/eventgrid/local-topic-defaults.js';
import type { LocalEventGridTopic } from '../../api/local/eventgrid/topic.js';
import { runPublisher, type PublisherProgress } from '../../demo/publisher/publisher.js';
import { parsePublisherCommandLine, publisherOptions, type PublisherOptions } from '../../demo/publisher/publisher-options.js';
import { createValueSource, SHAPE_PERIOD_IN_SAMPLES, VALUE_SHAPES } from '../../demo/publisher/value-shapes.js';
import { startTopicWithWebhook, stopTopicWithWebhook } from '../eventgrid/topic-with-webhook.js';
import type { WebhookReceiver } from '../eventgrid/webhook-receiver.js';

describe('runPublisher, in-process', () => {
  let topic: LocalEventGridTopic;
  let webhook: WebhookReceiver;
  before(async () => ({ topic, webhook } = await startTopicWithWebhook()));
  after(() => stopTopicWithWebhook({ topic, webhook }));
  const optionsFor = (overrides: Partial<PublisherOptions>): PublisherOptions =>
    publisherOptions({ endpoint: topic.endpoint, credential: { key: topic.key }, ...overrides });

  it('sends the samples due within --duration: ceil(duration x rate) per stream', async () => {
    const summary = await runPublisher(optionsFor({ streams: ['demo/duration'], ratePerSecond: 20, durationInMs: 300 }));
    assert.deepEqual({ sent: summary.sent, failed: summary.failed, planned: summary.planned, endedBy: summary.endedBy },
      { sent: 6, failed: 0, planned: 6, endedBy: 'duration' });
    await topic.whenIdle();
    assert.equal(webhook.deliveredEvents().filter((event) => event.subject === 'demo/duration').length, 6);
  });

  it('runs until its signal aborts, reporting progress on the way', async () => {
    const stopping = new AbortController();
    const reports: PublisherProgress[] = [];
    const summary = await runPublisher(optionsFor({ streams: ['demo/until-stopped'], ratePerSecond: 50, count: undefined }), {
      signal: stopping.signal,
      progressIntervalInMs: 20,
      onProgress: (progress) => {
        reports.push(progress);
        if (progress.sent >= 3) stopping.abort();
      },
    });
    assert.equal(summary.endedBy, 'signal');
    assert.equal(summary.planned, undefined);
    assert.ok(summary.sent >= 3);
    assert.ok(reports.length > 0 && reports.every((report) => report.failed === 0));
    await topic.whenIdle();
    assert.equal(webhook.deliveredEvents().filter((event) => event.subject === 'demo/until-stopped').length, summary.sent);
  });

  it('ends at the first refusal that would repeat, reporting the topic\'s message', async () => {
    const summary = await runPublisher(optionsFor({ credential: { key: Buffer.from('nope').toString('base64') }, count: 50, ratePerSecond: 100 }));
    assert.equal(summary.endedBy, 'failure');
    assert.equal(summary.sent, 0);
    assert.equal(summary.failures.length, 1);
    assert.match(summary.failures[0].message, /^The topic refused the request \(401 Unauthorized\): The request authorization key is not authorized/);
  });
});

describe('publisher options', () => {
  it('defaults to the local topic, its well-known key, one stream and two series at the original 2 events/s', () => {
    const command = parsePublisherCommandLine([], {});
    assert.equal(command.help, false);
    const { options } = command as { options: PublisherOptions };
    assert.equal(options.endpoint, LOCAL_TOPIC_ENDPOINT);
    assert.deepEqual(options.credential, { key: LOCAL_TOPIC_KEY });
    assert.deepEqual(options.series, ['series-1', 'series-2']);
    assert.equal(options.ratePerSecond, 2);
    assert.equal(options.count, undefined);
    assert.deepEqual([options.schema, options.format, options.shape, options.batchSize], ['eventgrid', 'points', 'random-walk', 1]);
  });

  it('gives in-process runs the same defaults, random values for the seed format', () => {
    const options = publisherOptions({ format: 'seed', count: 3 });
    assert.deepEqual([options.endpoint, options.shape, options.count, options.ratePerSecond], [LOCAL_TOPIC_ENDPOINT, 'random', 3, 2]);
  });

  it('takes streams repeated or comma-separated, a SAS over a key, and the seed format with random values', () => {
    const { options } = parsePublisherCommandLine(
      ['--stream', 'a/1,a/2', '--stream', 'b', '--format', 'seed', '--duration', '1.5'],
      { EVENTGRID_TOPIC_KEY: 'k', EVENTGRID_TOPIC_SAS: 'r=x&e=y&s=z', EVENTGRID_TOPIC_ENDPOINT: 'https://t.westus-1.eventgrid.azure.net/api/events' },
    ) as { options: PublisherOptions };
    assert.deepEqual(options.streams, ['a/1', 'a/2', 'b']);
    assert.deepEqual(options.credential, { sas: 'r=x&e=y&s=z' });
    assert.equal(options.shape, 'random');
    assert.equal(options.durationInMs, 1500);
  });

  it('refuses plain http to another machine, and more series than an event may carry', () => {
    assert.throws(() => parsePublisherCommandLine([], { EVENTGRID_TOPIC_ENDPOINT: 'http://example.com/api/events' }), /Refusing to send the topic key over plain http to example.com/);
    const many = Array.from({ length: 65 }, (_, i) => `s${i}`).join(',');
    assert.throws(() => parsePublisherCommandLine(['--series', many], {}), /--series: .*64/);
  });
});

describe('value shapes', () => {
  const samples = (shape: (typeof VALUE_SHAPES)[number], count: number): number[][] => {
    const source = createValueSource(shape, 3);
    return Array.from({ length: count }, (_, index) => source(index));
  };

  it('random: whole numbers from 1 to 99, as the original sample sent', () => {
    assert.ok(samples('random', 500).flat().every((value) => Number.isInteger(value) && value >= 1 && value <= 99));
  });

  it('random-walk: steps of at most 2, staying within 0..100', () => {
    const walk = samples('random-walk', 2000);
    assert.ok(walk.flat().every((value) => value >= 0 && value <= 100));
    for (let i = 1; i < walk.length; i++) walk[i].forEach((value, series) => assert.ok(Math.abs(value - walk[i - 1][series]) <= 2.01));
  });

  it('sine and sawtooth: periodic, within 10..90 and 0..100, series out of phase', () => {
    const sine = samples('sine', SHAPE_PERIOD_IN_SAMPLES * 2);
    assert.ok(sine.flat().every((value) => value >= 10 && value <= 90));
    assert.deepEqual(sine[0], sine[SHAPE_PERIOD_IN_SAMPLES]);
    assert.notEqual(sine[0][0], sine[0][1]);
    const saw = samples('sawtooth', SHAPE_PERIOD_IN_SAMPLES * 2);
    assert.ok(saw.flat().every((value) => value >= 0 && value < 100));
    assert.deepEqual(saw[1], saw[SHAPE_PERIOD_IN_SAMPLES + 1]);
  });
});
