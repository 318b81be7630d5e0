/** Every connection of the service by its connection token, and the hubs of the connections that are past the handshake. */
import type { ClientConnection } from './client-connection.js';
import { Hub } from './hub.js';

export class ConnectionRegistry {
  private readonly byToken = new Map<string, ClientConnection>();
  private readonly hubs = new Map<string, Hub>();

  /** Connections from negotiate until their transport has finished; this is what the connection limit counts. */
  get size(): number {
    return this.byToken.size;
  }

  connections(): IterableIterator<ClientConnection> {
    return this.byToken.values();
  }

  register(connection: ClientConnection): void {
    this.byToken.set(connection.token, connection);
  }

  unregister(connection: ClientConnection): void {
    if (this.byToken.get(connection.token) === connection) this.byToken.delete(connection.token);
  }

  withToken(token: string): ClientConnection | undefined {
    return this.byToken.get(token);
  }

  /** The hub's state, if anything is known about it. */
  hub(name: string): Hub | undefined {
    return this.hubs.get(name);
  }

  /** The hub's state, created when first needed. */
  hubFor(name: string): Hub {
    let hub = this.hubs.get(name);
    if (!hub) this.hubs.set(name, (hub = new Hub()));
    return hub;
  }

  join(connection: ClientConnection): void {
    this.hubFor(connection.hub).add(connection);
  }

  leave(connection: ClientConnection): void {
    const hub = this.hubs.get(connection.hub);
    if (!hub) return;
    hub.remove(connection);
    this.forgetIfEmpty(connection.hub, hub);
  }

  /** Drops a hub that no longer holds anything, so unused hub names do not accumulate. */
  forgetIfEmpty(name: string, hub: Hub): void {
    if (hub.isEmpty()) this.hubs.delete(name);
  }

  removeExpired(now: number): void {
    for (const [name, hub] of this.hubs) {
      hub.removeExpired(now);
      this.forgetIfEmpty(name, hub);
    }
  }
}
