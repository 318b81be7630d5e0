/**
 * `npm start` as a user runs it: a child process on free, unusual ports, up to its "Open" line,
 * the demo page serving live charts, then Ctrl-C (SIGINT to the process group, as a terminal
 * sends it): every port freed and no process of the tree left. And a port in use stops it
 * before anything starts, with a message naming the variable to change.
 */
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { after, it } from 'node:test';
import { STACK_PORTS, type StackPortName } from '../../api/local/stack/port-settings.js';
import { launchBrowser, openPage, plottedTraces, ROOT, WAIT_TIMEOUT_IN_MS, waitUntil } from './support.js';

/** Settings that would switch stand-ins off are removed, so the test always runs the whole local stack. */
const AZURE_SETTINGS = ['AzureSignalRConnectionString', 'EVENTGRID_TOPIC_ENDPOINT', 'EVENTGRID_TOPIC_KEY', 'AzureWebJobsStorage', 'RECENT_POINTS_STORAGE', 'CORS_ALLOWED_ORIGINS', 'PUBLIC_STREAMS'];

interface RunningStart {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function npmStart(env: Record<string, string>): RunningStart {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NO_COLOR: '1' };
  for (const name of AZURE_SETTINGS) delete childEnv[name];
  // Its own process group, so that SIGINT reaches the whole tree as a terminal's Ctrl-C does.
  const child = spawn('npm', ['start'], { cwd: ROOT, env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  after(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  });
  return { child, output: () => output, exited };
}

/** Ports nothing listens on right now, for the `*_PORT` variables. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<net.Server>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => resolve(server));
  })));
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Every process below `pid` (children, their children, ...). */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' }).trim().split('\n').map((line) => line.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const visit = (parent: number): void => {
    for (const [child, ppid] of table) if (ppid === parent) { found.push(child); visit(child); }
  };
  visit(pid);
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('starts the whole stack, serves live charts, and stops cleanly on Ctrl-C', async () => {
  const names = Object.keys(STACK_PORTS) as StackPortName[];
  const ports = await freePorts(names.length);
  const env = Object.fromEntries(names.map((name, i) => [STACK_PORTS[name].variable, String(ports[i])]));
  const start = npmStart(env);
  const opened = await waitUntil('the "Open" line', async () => /^Open (\S+)/m.exec(start.output())?.[1], (url) => url !== undefined || start.child.exitCode !== null, 180_000);
  assert.ok(opened, `npm start printed no Open line:\n${start.output()}`);
  assert.equal(opened, `http://127.0.0.1:${env.DEMO_PORT}/`);
  for (const name of names) assert.match(start.output(), new RegExp(`http://127\\.0\\.0\\.1:${env[STACK_PORTS[name].variable]}\\b`), `${name} is listed with its port`);

  const response = await fetch(opened!);
  assert.equal(response.status, 200);
  assert.match(await response.text(), /<realtime-plot /);
  const { page } = await openPage(await launchBrowser(), opened!);
  await waitUntil('the temperature chart to go live with points', () => plottedTraces(page, 'demo/temperature'), (traces) => traces.some((trace) => trace.y.length > 0));
  await page.close();

  const tree = [start.child.pid!, ...descendants(start.child.pid!)];
  assert.ok(tree.length >= 3, `npm, the stack and Azurite are running (${tree.join(', ')})`);
  process.kill(-start.child.pid!, 'SIGINT');
  const { code } = await start.exited;
  assert.equal(code, 0, start.output());
  await waitUntil('every process of the tree to end', async () => tree.filter(isAlive), (alive) => alive.length === 0, WAIT_TIMEOUT_IN_MS);
  for (const port of Object.values(env).map(Number)) assert.ok(await portIsFree(port), `port ${port} is free again`);
  assert.match(start.output(), /stack\s+│ stopped/);
});

it('refuses to start when a port is taken, naming the variable to change', async () => {
  const [taken, ...others] = await freePorts(Object.keys(STACK_PORTS).length);
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(taken, '127.0.0.1', resolve));
  after(() => blocker.close());
  const [signalR, eventGrid, demo, widget] = others;
  const start = npmStart({
    FUNCTIONS_PORT: String(taken), SIGNALR_PORT: String(signalR), EVENTGRID_PORT: String(eventGrid), DEMO_PORT: String(demo), WIDGET_PORT: String(widget),
  });
  const { code } = await start.exited;
  assert.equal(code, 2);
  assert.match(start.output(), new RegExp(`Port ${taken} .*already in use.*FUNCTIONS_PORT=`));
  assert.doesNotMatch(start.output(), /^Open /m);
  for (const port of others) assert.ok(await portIsFree(port), `nothing was left listening on ${port}`);
});
