/**
 * The ports of the local stack, each from its own environment variable (0 picks a free port),
 * and the check that runs before anything starts: every fixed port must be free, so that a
 * clash is reported once, naming the variable to change, instead of half a stack starting.
 */
import net from 'node:net';

export const STACK_PORTS = {
  functions: { variable: 'FUNCTIONS_PORT', defaultPort: 7071, service: 'Functions host' },
  signalR: { variable: 'SIGNALR_PORT', defaultPort: 8888, service: 'SignalR Service stand-in' },
  eventGrid: { variable: 'EVENTGRID_PORT', defaultPort: 7072, service: 'Event Grid topic stand-in' },
  demo: { variable: 'DEMO_PORT', defaultPort: 5173, service: 'demo site' },
  widget: { variable: 'WIDGET_PORT', defaultPort: 5174, service: 'widget script origin' },
  azuriteBlob: { variable: 'AZURITE_BLOB_PORT', defaultPort: 10000, service: 'Azurite blob service' },
  azuriteQueue: { variable: 'AZURITE_QUEUE_PORT', defaultPort: 10001, service: 'Azurite queue service' },
  azuriteTable: { variable: 'AZURITE_TABLE_PORT', defaultPort: 10002, service: 'Azurite table service' },
} as const;

/** The ports of the stand-ins each Azure service replaces (see azure-services.ts). */
export const STAND_IN_PORTS = {
  storage: ['azuriteBlob', 'azuriteQueue', 'azuriteTable'],
  signalR: ['signalR'],
  topic: ['eventGrid'],
} as const satisfies Record<string, readonly StackPortName[]>;

export type StackPortName = keyof typeof STACK_PORTS;

export type StackPorts = Record<StackPortName, number>;

/** A setting the stack cannot run with; `start` exits with code 2 on it. */
export class StackConfigurationError extends Error {
  override name = 'StackConfigurationError';
}

/** Reads every port variable; throws `StackConfigurationError` naming a bad or repeated one. */
export function readStackPorts(env: Readonly<Record<string, string | undefined>>): StackPorts {
  const ports = {} as StackPorts;
  const taken = new Map<number, string>();
  for (const [name, { variable, defaultPort }] of Object.entries(STACK_PORTS) as [StackPortName, (typeof STACK_PORTS)[StackPortName]][]) {
    const raw = env[variable]?.trim() || undefined; // empty means unset, as for every other variable
    const port = raw === undefined ? defaultPort : Number(raw);
    if ((raw !== undefined && !/^\d{1,5}$/.test(raw)) || port > 65535) {
      throw new StackConfigurationError(`${variable}=${JSON.stringify(raw?.slice(0, 20))} is not a port number from 0 to 65535 (0 picks a free port).`);
    }
    const other = taken.get(port);
    if (port !== 0 && other) throw new StackConfigurationError(`${other} and ${variable} are both ${port}; give each service its own port.`);
    taken.set(port, variable);
    ports[name] = port;
  }
  return ports;
}

export interface PortClash {
  name: StackPortName;
  port: number;
  variable: string;
}

/** The fixed ports (not 0) among `wanted` that cannot be bound on `host` right now. */
export async function findPortsInUse(host: string, wanted: Partial<StackPorts>): Promise<PortClash[]> {
  const clashes: PortClash[] = [];
  for (const [name, port] of Object.entries(wanted) as [StackPortName, number][]) {
    if (port !== 0 && !(await canListen(host, port))) clashes.push({ name, port, variable: STACK_PORTS[name].variable });
  }
  return clashes;
}

export function describePortClashes(host: string, clashes: readonly PortClash[]): string {
  return clashes
    .map(({ name, port, variable }) =>
      `Port ${port} on ${host} (${STACK_PORTS[name].service}) is already in use. Stop what uses it, or choose another port: ${variable}=<port> npm start (0 picks a free one).` +
      (name.startsWith('azurite') ? ' To use an Azurite that is already running, set AzureWebJobsStorage=UseDevelopmentStorage=true.' : ''))
    .join('\n');
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}
