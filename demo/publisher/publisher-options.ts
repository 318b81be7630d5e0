/**
 * What a publisher run does, and how `npm run publish -- ...` and the environment set it:
 * flags first, then environment variables, then defaults (the local topic and its well-known key).
 */
import {
  choiceOption, environmentOption, listOption, parseFlags, positiveNumberOption, UsageError, wholeNumberOption,
} from '../../api/local/eventgrid/command-line-values.js';
import { LOCAL_TOPIC_ENDPOINT, LOCAL_TOPIC_KEY } from '../../api/local/eventgrid/local-topic-defaults.js';
import { parsePointsData } from '../../api/events/points-data.js';
import { streamNameProblem } from '../../api/streams/stream-name.js';
import { DATA_FORMATS, eventData, PUBLISH_SCHEMAS, type DataFormat, type PublishSchema } from './event-builder.js';
import { isLoopback, type TopicCredential } from './publisher-client.js';
import { VALUE_SHAPES, type ValueShape } from './value-shapes.js';

export interface PublisherOptions {
  /** Topic endpoint, `https://<topic>.<region>-1.eventgrid.azure.net/api/events`. */
  endpoint: string;
  credential: TopicCredential;
  streams: string[];
  /** Series names (the seed format sends only values, item i being series `series-<i+1>`). */
  series: string[];
  /** Events per second per stream. */
  ratePerSecond: number;
  /** Events per stream; with neither this nor `durationInMs` the run lasts until stopped. */
  count?: number;
  durationInMs?: number;
  /** Events per publish request. */
  batchSize: number;
  schema: PublishSchema;
  shape: ValueShape;
  format: DataFormat;
  /** Publish requests under way at once. */
  maxRequestsInFlight: number;
  /** Retries of a failed request by the client's pipeline (network errors, 5xx, 429/503). */
  maxRetries: number;
}

const DEFAULT_STREAM = 'demo/stream-1';

export const PUBLISHER_HELP = `npm run publish -- [options]

Publishes generated points to an Event Grid topic with @azure/eventgrid's EventGridPublisherClient,
by default to the local topic (npm run eventgrid, or npm start).

Options:
  --stream <name>        stream (the event subject); repeatable or comma-separated (default ${DEFAULT_STREAM})
  --series <names>       series names, comma-separated (default series-1,series-2)
  --rate <n>             events per second per stream (default 2: the original sample's 500 ms)
  --count <n>            events per stream, then stop
  --duration <seconds>   run this long, then stop (without --count or --duration: until Ctrl-C)
  --batch <n>            events per publish request (default 1)
  --schema <schema>      eventgrid | cloudevents (default eventgrid)
  --shape <shape>        random-walk | sine | sawtooth | random (default random-walk; random for --format seed)
  --format <format>      points: {"points": [{"series", "x", "y"}]}
                         seed:   [{"X", "Y"}, ...], the original sample's format (default points)
  --concurrency <n>      publish requests under way at once (default 4)
  --max-retries <n>      retries of a failed request, for network errors, 5xx and 429 (default 3)
  --endpoint <url>       topic endpoint (overrides EVENTGRID_TOPIC_ENDPOINT)
  --help                 this text

Environment:
  EVENTGRID_TOPIC_ENDPOINT  topic endpoint (default ${LOCAL_TOPIC_ENDPOINT})
  EVENTGRID_TOPIC_KEY       topic key, sent as aeg-sas-key (default the local topic's well-known key)
  EVENTGRID_TOPIC_SAS       a shared access signature, sent as aeg-sas-token (instead of the key)

Plain http:// is used only for a topic on this machine (127.0.0.1, localhost, ::1).
`;

export type PublisherCommand = { help: true } | { help: false; options: PublisherOptions };

export function parsePublisherCommandLine(args: string[], environment: NodeJS.ProcessEnv): PublisherCommand {
  const { values } = parseFlags(args, {
    stream: { type: 'string', multiple: true },
    series: { type: 'string' },
    rate: { type: 'string' },
    count: { type: 'string' },
    duration: { type: 'string' },
    batch: { type: 'string' },
    schema: { type: 'string' },
    shape: { type: 'string' },
    format: { type: 'string' },
    concurrency: { type: 'string' },
    'max-retries': { type: 'string' },
    endpoint: { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) return { help: true };
  const env = (name: string): string | undefined => environmentOption(environment, name);
  const format = choiceOption(values.format, '--format', DATA_FORMATS, 'points');
  const sas = env('EVENTGRID_TOPIC_SAS');
  const options: PublisherOptions = {
    endpoint: values.endpoint ?? env('EVENTGRID_TOPIC_ENDPOINT') ?? LOCAL_TOPIC_ENDPOINT,
    credential: sas ? { sas } : { key: env('EVENTGRID_TOPIC_KEY') ?? LOCAL_TOPIC_KEY },
    streams: values.stream ? listOption(values.stream) : [DEFAULT_STREAM],
    series: values.series === undefined ? ['series-1', 'series-2'] : listOption([values.series]),
    ratePerSecond: positiveNumberOption(values.rate, '--rate', 2),
    count: wholeNumberOption(values.count, '--count', 1),
    durationInMs: values.duration === undefined ? undefined : positiveNumberOption(values.duration, '--duration') * 1000,
    batchSize: wholeNumberOption(values.batch, '--batch', 1, 1),
    schema: choiceOption(values.schema, '--schema', PUBLISH_SCHEMAS, 'eventgrid'),
    shape: choiceOption(values.shape, '--shape', VALUE_SHAPES, format === 'seed' ? 'random' : 'random-walk'),
    format,
    maxRequestsInFlight: wholeNumberOption(values.concurrency, '--concurrency', 1, 4),
    maxRetries: wholeNumberOption(values['max-retries'], '--max-retries', 0, 3),
  };
  checkPublisherOptions(options);
  return { help: false, options };
}

/**
 * Options for an in-process run (the local stack, benchmarks): `npm run publish`'s defaults,
 * environment ignored, with `overrides` on top (the seed format then defaults to random values).
 */
export function publisherOptions(overrides: Partial<PublisherOptions> = {}): PublisherOptions {
  const { options } = parsePublisherCommandLine([], {}) as { options: PublisherOptions };
  const shape = overrides.shape ?? (overrides.format === 'seed' ? 'random' : options.shape);
  return { ...options, ...overrides, shape };
}

/** Throws a UsageError naming what is wrong; also used for options given in code. */
export function checkPublisherOptions(options: PublisherOptions): void {
  let url: URL;
  try {
    url = new URL(options.endpoint);
  } catch {
    throw new UsageError(`The topic endpoint '${options.endpoint}' is not a URL (expected https://<topic>.<region>-1.eventgrid.azure.net/api/events).`);
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new UsageError(`Refusing to send the topic key over plain http to ${url.host}; use https:// (Azure topics are https) or a topic on this machine.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`The topic endpoint must be https:// (or http:// on this machine), got '${options.endpoint}'.`);
  if ('key' in options.credential && options.credential.key === '') throw new UsageError('EVENTGRID_TOPIC_KEY is empty.');
  if (options.streams.length === 0) throw new UsageError('--stream needs at least one stream name.');
  for (const stream of options.streams) {
    const problem = streamNameProblem(stream);
    if (problem) throw new UsageError(`--stream '${stream}' ${problem}.`);
  }
  if (options.series.length === 0) throw new UsageError('--series needs at least one series name.');
  try {
    // The data the ingest function will read, checked by its own parser.
    parsePointsData(eventData(options.format, options.series, 0, options.series.map(() => 0), 0), 0);
  } catch (error) {
    throw new UsageError(`--series: ${(error as Error).message}.`);
  }
}
