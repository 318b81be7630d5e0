/**
 * `npm run signalr [-- --port 8888 --host 127.0.0.1 --quiet]`: runs the local SignalR service
 * alone and prints its connection string. The access key comes from SIGNALR_ACCESS_KEY, else
 * the emulator's default key.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_HOST, DEFAULT_PORT, startSignalRService } from './index.js';

const USAGE = `Usage: npm run signalr -- [--port <n>] [--host <address>] [--quiet]

  --port   TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --host   address to listen on (default ${DEFAULT_HOST})
  --quiet  do not log connections
Environment: SIGNALR_ACCESS_KEY  the AccessKey (default: the emulator's key)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  const service = await startSignalRService({
    port,
    host: values.host,
    accessKey: process.env.SIGNALR_ACCESS_KEY || undefined,
    log: values.quiet ? undefined : (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
  console.log(service.connectionString);
  console.log(`Local SignalR Service (Serverless) listening on ${service.endpoint}; Ctrl+C stops it.`);
  const stop = () => {
    service.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exit(1);
});
