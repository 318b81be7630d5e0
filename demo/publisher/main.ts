/**
 * `npm run publish -- [options]`: publishes generated points (see --help). Progress goes to
 * stderr (one rewritten line on a terminal, a line every 5 s otherwise), the summary to stdout.
 * Exit code 0 when every event was accepted, 1 when any failed, 2 for a usage error.
 */
import { UsageError } from '../../api/local/eventgrid/command-line-values.js';
import { progressLine, summaryLines } from './progress-report.js';
import { runPublisher } from './publisher.js';
import { parsePublisherCommandLine, PUBLISHER_HELP } from './publisher-options.js';

async function main(): Promise<number> {
  const command = parsePublisherCommandLine(process.argv.slice(2), process.env);
  if (command.help) {
    process.stdout.write(PUBLISHER_HELP);
    return 0;
  }
  const { options } = command;
  const interactive = process.stderr.isTTY === true;
  const stopping = new AbortController();
  process.once('SIGINT', () => stopping.abort());
  process.once('SIGTERM', () => stopping.abort());
  process.stderr.write(`Publishing to ${options.endpoint} (${options.schema} schema, ${options.format} format, ` +
    `${options.streams.join(', ')}; ${options.ratePerSecond} events/s per stream). Ctrl-C stops.\n`);
  const summary = await runPublisher(options, {
    signal: stopping.signal,
    progressIntervalInMs: interactive ? 500 : 5000,
    onProgress: (progress) => process.stderr.write(interactive ? `\r${progressLine(progress)}\x1b[K` : `${progressLine(progress)}\n`),
  });
  if (interactive) process.stderr.write('\r\x1b[K');
  for (const line of summaryLines(summary, options.endpoint)) (line.startsWith('error') ? process.stderr : process.stdout).write(`${line}\n`);
  return summary.failed > 0 || summary.endedBy === 'failure' ? 1 : 0;
}

main().then(
  (exitCode) => { process.exitCode = exitCode; },
  (error: Error) => {
    process.stderr.write(`publish: ${error.message}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
