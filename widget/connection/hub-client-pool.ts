/**
 * The page's hub clients: one per hub URL, shared by every widget on that hub, dropped when its
 * last widget has left. Module state on purpose: it is what "one connection per hub per page"
 * means.
 */
import { HubClient } from './hub-client.js';

const clients = new Map<string, HubClient>();

/** The hub URL as a key: absolute, without trailing slashes. */
export function hubKey(hub: string): string {
  return new URL(hub, document.baseURI).href.replace(/\/+$/, '');
}

/** The page's client for `hub`, created on first use. */
export function hubClientFor(hub: string): HubClient {
  const key = hubKey(hub);
  let client = clients.get(key);
  if (!client) {
    const created = new HubClient(key, {
      onStopped: () => {
        if (clients.get(key) === created) clients.delete(key);
      },
    });
    clients.set(key, created);
    client = created;
  }
  return client;
}

/** The client currently serving `hub`, if any (for tools and tests; does not create one). */
export function existingHubClient(hub: string): HubClient | undefined {
  return clients.get(hubKey(hub));
}
