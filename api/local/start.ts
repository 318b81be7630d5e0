/**
 * `npm start`: the whole local stack in one process tree (see stack/local-stack.ts), with one
 * line per service and the page to open, labelled logs, and a clean stop on Ctrl-C (SIGINT) or
 * SIGTERM. Exit codes: 0 after a clean stop, 2 for a configuration problem (a port in use, a
 * bad setting), 1 when the stack failed to start or stop.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DEAD_LETTER_DIRECTORY } from './eventgrid/local-topic-defaults.js';
import { detectAzureServices, portsToOpen } from './stack/azure-services.js';
import { LabelledLog } from './stack/labelled-log.js';
import { startLocalStack, type RunningLocalStack } from './stack/local-stack.js';
import { describePortClashes, findPortsInUse, readStackPorts, StackConfigurationError, STACK_PORTS } from './stack/port-settings.js';

const HOST = '127.0.0.1';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** After this long a stop that hangs is cut short. */
const STOP_TIMEOUT_IN_MS = 15_000;
/**
 * A signal repeated within this time is the same Ctrl-C: the terminal signals the whole process
 * group and tsx relays it to this process as well. A later one means "exit now".
 */
const SAME_SIGNAL_WITHIN_MS = 1000;

const HELP = `npm start [-- --verbose]

Starts Azurite, the SignalR Service stand-in, the Event Grid topic stand-in (subscribed to ingest),
the local Functions host, the demo site and a demo publisher. Ctrl-C stops everything.

  --verbose   also log every function invocation

Ports (0 picks a free one): ${Object.values(STACK_PORTS).map((port) => `${port.variable} (${port.defaultPort})`).join(', ')}.
Azure services used instead of stand-ins when set: AzureSignalRConnectionString;
EVENTGRID_TOPIC_ENDPOINT with EVENTGRID_TOPIC_KEY; AzureWebJobsStorage or RECENT_POINTS_STORAGE
(UseDevelopmentStorage=true: an Azurite already running on its default ports).
Other app settings (PUBLIC_STREAMS, CORS_ALLOWED_ORIGINS, CALLER_JWT_*, ...) pass to the Functions app.
Dead-lettered events of the topic stand-in: EVENTGRID_DEAD_LETTER_DIR (default ${DEFAULT_DEAD_LETTER_DIRECTORY}).
`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const unknown = args.filter((arg) => arg !== '--verbose');
  if (unknown.length > 0) throw new StackConfigurationError(`unknown option ${unknown[0]}; see npm start -- --help`);

  const ports = readStackPorts(process.env);
  const azure = detectAzureServices(process.env);
  const clashes = await findPortsInUse(HOST, portsToOpen(ports, azure));
  if (clashes.length > 0) throw new StackConfigurationError(describePortClashes(HOST, clashes));

  const log = new LabelledLog();
  const say = log.for('stack');
  let signalled: NodeJS.Signals | undefined;
  let signalledAt = 0;
  let stack: RunningLocalStack | undefined;
  let finish: (code: Promise<number>) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => (finish = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      if (Date.now() - signalledAt < SAME_SIGNAL_WITHIN_MS) return;
      say(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    signalled = signal;
    signalledAt = Date.now();
    if (stack) finish(stopStack(stack, say, signal));
    else say(`${signal}: stopping once the services that are starting are up`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const deadLetterDirectory = resolve(ROOT, process.env.EVENTGRID_DEAD_LETTER_DIR || DEFAULT_DEAD_LETTER_DIRECTORY);
  stack = await startLocalStack({ root: ROOT, host: HOST, ports, azure, settings: process.env, log, verbose: args.includes('--verbose'), deadLetterDirectory }).catch((error: unknown) => {
    throw (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? new StackConfigurationError(`${(error as Error).message} A port became busy while the stack started; choose other ports (${Object.values(STACK_PORTS).map((port) => port.variable).join(', ')}).`)
      : error;
  });
  if (signalled) return stopStack(stack, say, signalled);
  process.stdout.write(banner(stack));
  return stopped;
}

function banner(stack: RunningLocalStack): string {
  const width = Math.max(...stack.services.map((service) => service.url.length));
  return [
    '',
    'realtime-plot local stack:',
    ...stack.services.map((service) => `  ${service.label.padEnd(10)} ${service.url.padEnd(width)}  ${service.note}`),
    '',
    `Open ${stack.site.url} in a browser. Ctrl-C stops everything.`,
    '',
  ].join('\n') + '\n';
}

async function stopStack(stack: RunningLocalStack, say: (line: string) => void, signal: NodeJS.Signals): Promise<number> {
  say(`${signal}: stopping`);
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, STOP_TIMEOUT_IN_MS, 'timeout').unref());
  const outcome = await Promise.race([stack.stop().then(() => 'stopped' as const), timeout]);
  say(outcome === 'stopped' ? 'stopped' : `did not stop within ${STOP_TIMEOUT_IN_MS / 1000} s; exiting anyway`);
  return outcome === 'stopped' ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const detail = process.argv.includes('--verbose') ? (error as Error).stack : undefined;
    process.stderr.write(`npm start: ${detail ?? (error as Error).message ?? String(error)}\n`);
    process.exit(error instanceof StackConfigurationError ? 2 : 1);
  },
);
