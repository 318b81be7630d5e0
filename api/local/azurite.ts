/**
 * Starts a real Azurite (the npm `azurite` package) as a child process, in memory, on free
 * ports: blob, queue and table, so it serves both the recent-points store and the host storage
 * (`AzureWebJobsStorage`) of a local stack.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Azurite's well-known development account; public, the same for every Azurite. */
const DEVELOPMENT_ACCOUNT = 'devstoreaccount1';
const DEVELOPMENT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface StartAzuriteOptions {
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Memory Azurite may use for blob/queue content, in MB, when it keeps it in memory. Default 256. */
  memoryLimitInMb?: number;
  /** How long to wait for Azurite to listen. Default 60 s. */
  startTimeoutInMs?: number;
  /** Ports to listen on; default 0 (free ports). The ports of a stopped Azurite start it again where its clients look. */
  ports?: Partial<Record<'blob' | 'queue' | 'table', number>>;
  /** A folder that keeps the data across a stop and a start (left in place by stop()); default: in memory, nothing kept. */
  location?: string;
}

export interface RunningAzurite {
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
  /** Connection string for all three services (use as `AzureWebJobsStorage`). */
  connectionString: string;
  stop(): Promise<void>;
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at (\S+)/;

export async function startAzurite(options: StartAzuriteOptions = {}): Promise<RunningAzurite> {
  const host = options.host ?? '127.0.0.1';
  // In-memory Azurite writes nothing, but it runs in a fresh folder so that stray files never land elsewhere.
  const workspace = options.location ?? (await mkdtemp(join(tmpdir(), 'azurite-')));
  const persistence = options.location === undefined
    ? ['--inMemoryPersistence', '--extentMemoryLimit', String(options.memoryLimitInMb ?? 256)]
    : ['--location', options.location];
  const port = (service: 'blob' | 'queue' | 'table') => String(options.ports?.[service] ?? 0);
  const script = createRequire(import.meta.url).resolve('azurite/dist/src/azurite.js');
  const child = spawn(
    process.execPath,
    [
      script,
      ...persistence,
      '--blobHost', host, '--blobPort', port('blob'),
      '--queueHost', host, '--queuePort', port('queue'),
      '--tableHost', host, '--tablePort', port('table'),
      '--skipApiVersionCheck',
      '--disableProductStyleUrl',
      '--disableTelemetry',
      '--silent',
      '--loose',
    ],
    { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // If this process dies without calling stop(), do not leave Azurite behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const cleanUp = async () => {
    process.removeListener('exit', killOnExit);
    await stopChild(child);
    if (options.location === undefined) await rm(workspace, { recursive: true, force: true });
  };

  let endpoints: Record<'Blob' | 'Queue' | 'Table', string>;
  try {
    endpoints = await waitUntilListening(child, options.startTimeoutInMs ?? 60_000);
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const blobEndpoint = `${endpoints.Blob}/${DEVELOPMENT_ACCOUNT}`;
  const queueEndpoint = `${endpoints.Queue}/${DEVELOPMENT_ACCOUNT}`;
  const tableEndpoint = `${endpoints.Table}/${DEVELOPMENT_ACCOUNT}`;
  let stopped: Promise<void> | undefined;
  return {
    blobEndpoint,
    queueEndpoint,
    tableEndpoint,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${DEVELOPMENT_ACCOUNT};AccountKey=${DEVELOPMENT_KEY};` +
      `BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};TableEndpoint=${tableEndpoint};`,
    stop: () => (stopped ??= cleanUp()),
  };
}

function waitUntilListening(child: ChildProcess, timeoutInMs: number): Promise<Record<'Blob' | 'Queue' | 'Table', string>> {
  return new Promise((resolve, reject) => {
    const found: Partial<Record<'Blob' | 'Queue' | 'Table', string>> = {};
    let output = '';
    const timer = setTimeout(() => finish(new Error(`Azurite did not start within ${timeoutInMs} ms:\n${output.slice(-2000)}`)), timeoutInMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const line of output.split('\n')) {
        const match = LISTENING.exec(line);
        if (match) found[match[1] as 'Blob' | 'Queue' | 'Table'] = match[2].replace(/\/+$/, '');
      }
      if (found.Blob && found.Queue && found.Table) finish();
    };
    const onExit = (code: number | null) => finish(new Error(`Azurite exited (code ${code}) before listening:\n${output.slice(-2000)}`));
    function finish(error?: Error) {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      // Keep draining the pipes so a chatty Azurite never blocks on a full pipe.
      child.stdout!.resume();
      child.stderr!.resume();
      if (error) reject(error);
      else resolve(found as Record<'Blob' | 'Queue' | 'Table', string>);
    }
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
