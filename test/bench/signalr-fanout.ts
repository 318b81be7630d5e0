/**
 * `npm run bench:signalr`: fan-out of the local SignalR service. 1,000 WebSocket clients (raw
 * `ws` clients speaking the JSON hub protocol, after a real negotiate) join one group; messages
 * are sent to the group through the REST API at rising rates, each carrying its send time.
 * Reports messages delivered per second and delivery latency percentiles per rate, writes
 * them to bench-results/signalr.json and prints them. Goal: >= 50,000 delivered/s with
 * p99 < 100 ms.
 *
 * The service runs in this process; the clients and the publisher in a child process, so that
 * the service has a core of its own on a 2-core machine and latency is measured on one clock.
 */
import { fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';
import { startSignalRService } from '../../api/local/signalr/index.js';

const CLIENTS = 1000;
const HUB = 'bench';
const GROUP = 'boiler-7/temperature';
/** Messages per second sent to the group, each for PHASE_IN_MS; deliveries are CLIENTS times that. */
const RATES = [30, 60, 100, 150];
const PHASE_IN_MS = 5000;
const WARM_UP_IN_MS = 1000;
/** The last phase sends as fast as the service accepts, with this many REST calls in flight. */
const SATURATION_IN_FLIGHT = 32;
const CONNECT_CONCURRENCY = 50;
const GOAL = { deliveredPerSecond: 50_000, p99Ms: 100 };
const RESULT_FILE = 'bench-results/signalr.json';

interface BenchSetup {
  endpoint: string;
  accessKey: string;
}

interface ServiceCpu {
  cpuInMs: number;
  busyPercentOfOneCore: number;
}

type ClientReport = { kind: 'phase-start' } | { kind: 'phase-end' } | { kind: 'results'; phases: PhaseResult[] };

interface PhaseResult {
  phase: string;
  targetMessagesPerSecond: number | null;
  messagesSent: number;
  deliveries: number;
  expectedDeliveries: number;
  deliveredPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  clientsBusyPercentOfOneCore: number;
  serviceBusyPercentOfOneCore?: number;
  serviceCpuMicrosecondsPerDelivery?: number;
}

// ---------- service side (parent) ----------

async function runBenchmark(): Promise<void> {
  const loadBefore = os.loadavg()[0];
  const service = await startSignalRService({ port: 0 });
  try {
    const child = fork(fileURLToPath(import.meta.url), ['--clients'], { execArgv: process.execArgv, stdio: 'inherit' });
    child.send({ endpoint: service.endpoint, accessKey: service.accessKey } satisfies BenchSetup);
    // The service's own CPU time per phase: how much work a delivery costs, whatever else runs on the machine.
    const serviceCpu: ServiceCpu[] = [];
    let phaseStart = { cpu: process.cpuUsage(), at: performance.now() };
    const phases = await new Promise<PhaseResult[]>((resolve, reject) => {
      child.on('message', (message: ClientReport) => {
        if (message.kind === 'phase-start') phaseStart = { cpu: process.cpuUsage(), at: performance.now() };
        if (message.kind === 'phase-end') {
          const used = process.cpuUsage(phaseStart.cpu);
          const cpuInMs = (used.user + used.system) / 1000;
          serviceCpu.push({ cpuInMs, busyPercentOfOneCore: Math.round((100 * cpuInMs) / (performance.now() - phaseStart.at)) });
        }
        if (message.kind === 'results') resolve(message.phases);
      });
      child.once('exit', (code) => reject(new Error(`the client process exited with ${code}`)));
    });
    phases.forEach((phase, i) => {
      phase.serviceBusyPercentOfOneCore = serviceCpu[i].busyPercentOfOneCore;
      phase.serviceCpuMicrosecondsPerDelivery = Math.round((10 * 1000 * serviceCpu[i].cpuInMs) / phase.deliveries) / 10;
    });
    const atGoal = phases.filter(
      (p) => p.deliveredPerSecond >= GOAL.deliveredPerSecond && p.latencyMs.p99 < GOAL.p99Ms && p.deliveries === p.expectedDeliveries,
    );
    const result = {
      command: 'npm run bench:signalr',
      date: new Date().toISOString(),
      // The machine is shared: its load (1-minute average) says how much of it the benchmark had.
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        node: process.version,
        loadAverageBefore: loadBefore,
        loadAverageAfter: os.loadavg()[0],
      },
      clients: CLIENTS,
      transport: 'WebSockets + JSON hub protocol, one group, messages sent with the REST API (v1)',
      goal: GOAL,
      goalMet: atGoal.length > 0,
      bestAtGoalDeliveredPerSecond: atGoal.length > 0 ? Math.max(...atGoal.map((p) => p.deliveredPerSecond)) : null,
      phases,
    };
    await mkdir('bench-results', { recursive: true });
    await writeFile(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);
    printTable(phases);
    console.log(`machine load average before/after: ${loadBefore.toFixed(2)}/${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs`);
    console.log(
      `goal (>= ${GOAL.deliveredPerSecond} delivered/s, p99 < ${GOAL.p99Ms} ms): ${result.goalMet ? 'met' : 'NOT met'}; written to ${RESULT_FILE}`,
    );
  } finally {
    await service.stop();
  }
}

function printTable(phases: PhaseResult[]): void {
  console.log(`${CLIENTS} WebSocket clients in one group`);
  console.log('phase        msgs/s  sent   delivered/expected   delivered/s   p50 ms   p90 ms   p99 ms   max ms  service CPU  µs/delivery  clients CPU');
  for (const p of phases) {
    console.log(
      [
        p.phase.padEnd(11),
        String(p.targetMessagesPerSecond ?? 'max').padStart(7),
        String(p.messagesSent).padStart(6),
        `${p.deliveries}/${p.expectedDeliveries}`.padStart(20),
        String(p.deliveredPerSecond).padStart(13),
        ...[p.latencyMs.p50, p.latencyMs.p90, p.latencyMs.p99, p.latencyMs.max].map((v) => v.toFixed(1).padStart(8)),
        `${p.serviceBusyPercentOfOneCore}%`.padStart(12),
        String(p.serviceCpuMicrosecondsPerDelivery).padStart(12),
        `${p.clientsBusyPercentOfOneCore}%`.padStart(12),
      ].join(' '),
    );
  }
}

// ---------- clients and publisher (child) ----------

/** Latencies in 0.1 ms buckets up to 10 s. */
class Histogram {
  private readonly buckets = new Uint32Array(100_001);
  count = 0;
  max = 0;
  add(ms: number): void {
    this.buckets[Math.min(this.buckets.length - 1, Math.max(0, Math.round(ms * 10)))]++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }
  percentile(p: number): number {
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i];
      if (seen >= rank) return i / 10;
    }
    return this.max;
  }
}

const now = () => performance.timeOrigin + performance.now();

function report(message: ClientReport): void {
  process.send!(message);
}

function numberAfter(text: string, key: string): number {
  const at = text.indexOf(key);
  return at === -1 ? NaN : parseFloat(text.slice(at + key.length, at + key.length + 24));
}

class Phase {
  readonly histogram = new Histogram();
  sent = 0;
  startedAt = 0;
  lastDeliveryAt = 0;
  /** The client process's busy share of one core during the phase. */
  clientsBusyPercentOfOneCore = 0;
  constructor(
    readonly name: string,
    readonly rate: number | null,
  ) {}
}

async function runClients(setup: BenchSetup): Promise<PhaseResult[]> {
  const key = new TextEncoder().encode(setup.accessKey);
  const host = new URL(setup.endpoint).hostname;
  const sign = (claims: Record<string, string>, audience: string) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setAudience(audience).setExpirationTime('1h').sign(key);
  const restTokens = new Map<string, Promise<string>>();
  const rest = async (method: string, path: string, body?: unknown): Promise<void> => {
    const url = `${setup.endpoint}${path}`;
    if (!restTokens.has(url)) restTokens.set(url, sign({}, url));
    const response = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${await restTokens.get(url)}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  };

  const phases: Phase[] = [];
  // The load generator reads only the two numbers it needs, to leave the CPU to the service.
  const onFrame = (text: string) => {
    const sentAt = numberAfter(text, '"sentAt":');
    if (Number.isNaN(sentAt)) return; // pings and the handshake response
    const phase = phases[numberAfter(text, '"phase":')];
    const at = now();
    phase.histogram.add(at - sentAt);
    phase.lastDeliveryAt = at;
  };

  const sockets: WebSocket[] = [];
  const connectOne = async (index: number) => {
    const userId = `bench-user-${index}`;
    const token = await sign({ 'asrs.s.uid': userId }, `http://${host}/client/?hub=${HUB}`);
    const response = await fetch(`${setup.endpoint}/client/negotiate?hub=${HUB}&negotiateVersion=1`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    const { connectionToken } = (await response.json()) as { connectionToken: string };
    const socket = new WebSocket(`${setup.endpoint.replace('http', 'ws')}/client/?hub=${HUB}&id=${connectionToken}`, {
      headers: { Authorization: `Bearer ${token}` },
      perMessageDeflate: false,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('open', () => {
        socket.send('{"protocol":"json","version":1}\u001e');
        socket.once('message', () => resolve()); // the handshake response
      });
    });
    socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      let start = 0;
      for (let end = text.indexOf('\u001e'); end !== -1; end = text.indexOf('\u001e', start)) {
        onFrame(text.slice(start, end));
        start = end + 1;
      }
    });
    sockets.push(socket);
    await rest('PUT', `/api/v1/hubs/${HUB}/groups/${encodeURIComponent(GROUP)}/users/${userId}`);
  };
  for (let next = 0; next < CLIENTS; next += CONNECT_CONCURRENCY) {
    await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, CLIENTS - next) }, (_, i) => connectOne(next + i)));
  }
  // The service closes clients that stay silent for 30 s; a real client pings every 15 s.
  const pinger = setInterval(() => sockets.forEach((socket) => socket.send('{"type":6}\u001e')), 10_000);

  let seq = 0;
  const send = (phase: Phase, phaseIndex: number) => {
    phase.sent++;
    const x = Date.now();
    const message = {
      v: 1,
      stream: GROUP,
      seq: ++seq,
      id: `event-${seq}`,
      time: x,
      series: [{ name: 'inside', x: [x, x + 100, x + 200], y: [21.5, 21.6, 21.4] }],
      sentAt: now(),
      phase: phaseIndex,
    };
    return rest('POST', `/api/v1/hubs/${HUB}/groups/${encodeURIComponent(GROUP)}`, { target: 'points', arguments: [message] });
  };

  const runPhase = async (phase: Phase, durationInMs: number, measured = true) => {
    const index = phases.push(phase) - 1;
    if (measured) report({ kind: 'phase-start' });
    phase.startedAt = now();
    const cpuAtStart = process.cpuUsage();
    const inFlight = new Set<Promise<void>>();
    const track = (promise: Promise<void>) => {
      inFlight.add(promise);
      void promise.finally(() => inFlight.delete(promise));
    };
    while (now() - phase.startedAt < durationInMs) {
      if (phase.rate === null) {
        while (inFlight.size < SATURATION_IN_FLIGHT) track(send(phase, index));
        await Promise.race(inFlight);
      } else {
        const due = Math.floor(((now() - phase.startedAt) / 1000) * phase.rate);
        while (phase.sent < due) track(send(phase, index));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    await Promise.all(inFlight);
    // Let the last deliveries arrive.
    const expected = phase.sent * CLIENTS;
    const deadline = now() + 10_000;
    while (phase.histogram.count < expected && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const cpu = process.cpuUsage(cpuAtStart);
    phase.clientsBusyPercentOfOneCore = Math.round((100 * (cpu.user + cpu.system)) / 1000 / (now() - phase.startedAt));
    if (measured) report({ kind: 'phase-end' });
  };

  await runPhase(new Phase('warm-up', RATES[0]), WARM_UP_IN_MS, false);
  phases.length = 0;
  for (const rate of RATES) await runPhase(new Phase(`${rate}/s`, rate), PHASE_IN_MS);
  await runPhase(new Phase('saturated', null), PHASE_IN_MS);

  clearInterval(pinger);
  for (const socket of sockets) socket.terminate();
  return phases.map((phase) => ({
    phase: phase.name,
    targetMessagesPerSecond: phase.rate,
    messagesSent: phase.sent,
    deliveries: phase.histogram.count,
    expectedDeliveries: phase.sent * CLIENTS,
    deliveredPerSecond: Math.round(phase.histogram.count / ((phase.lastDeliveryAt - phase.startedAt) / 1000)),
    clientsBusyPercentOfOneCore: phase.clientsBusyPercentOfOneCore,
    latencyMs: {
      p50: phase.histogram.percentile(50),
      p90: phase.histogram.percentile(90),
      p99: phase.histogram.percentile(99),
      max: Math.round(phase.histogram.max * 10) / 10,
    },
  }));
}

if (process.argv.includes('--clients')) {
  process.once('message', (setup) => {
    runClients(setup as BenchSetup).then(
      (phases) => process.send!({ kind: 'results', phases } satisfies ClientReport, () => process.exit(0)),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
} else {
  await runBenchmark();
}
