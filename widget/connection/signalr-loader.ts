/**
 * The SignalR client, loaded on first connect with a dynamic import: the widget negotiates over
 * plain HTTP first, so the client arrives while that request is under way instead of weighing
 * on the first script.
 */
let loading: Promise<typeof import('@microsoft/signalr')> | undefined;

export function loadSignalR(): Promise<typeof import('@microsoft/signalr')> {
  loading ??= import('@microsoft/signalr').catch((error: unknown) => {
    loading = undefined; // A failed chunk load (network) is retried by the next connect attempt.
    throw error;
  });
  return loading;
}
