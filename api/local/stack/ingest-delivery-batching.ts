/**
 * How Event Grid batches its deliveries to `ingest` (batching is off by default): a busy topic
 * then makes one request for many events, which the host runs at once and the store writes in
 * one transaction per stream. The deployment template's subscription sets the same values
 * (test/deploy checks that they agree).
 */
export const INGEST_DELIVERY_BATCHING = { maxEventsPerBatch: 64, preferredBatchSizeInKilobytes: 1024 } as const;
