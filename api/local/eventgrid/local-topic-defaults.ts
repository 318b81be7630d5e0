/**
 * The local topic's well-known settings, shared by the topic and by publishers that default to
 * it. Like Azurite's well-known account key, the key is public on purpose: the local topic binds
 * to the loopback interface and only stands in for a real topic during development.
 */

/** Port of the local topic when none is given (the Functions host uses 7071). */
export const LOCAL_TOPIC_PORT = 7072;

/** Base64 of the 32 ASCII bytes `realtime-plot-local-topic-key-01` (an Azure topic key is base64 of 32 bytes too). */
export const LOCAL_TOPIC_KEY = 'cmVhbHRpbWUtcGxvdC1sb2NhbC10b3BpYy1rZXktMDE=';

/** Publish endpoint of the local topic on its default port. */
export const LOCAL_TOPIC_ENDPOINT = `http://127.0.0.1:${LOCAL_TOPIC_PORT}/api/events`;

/** Topic name used in the ARM-style topic id when none is given. */
export const LOCAL_TOPIC_NAME = 'realtime-plot-local';

/** The only api-version Event Grid's publish API has for topics of this kind. */
export const PUBLISH_API_VERSION = '2018-01-01';

/** Path of the publish endpoint, as on Azure (`https://<topic>.<region>-1.eventgrid.azure.net/api/events`). */
export const PUBLISH_PATH = '/api/events';

/** Largest publish request Azure accepts (1 MB per request and per event). */
export const MAX_PUBLISH_BYTES = 1024 * 1024;

/** ARM-style id of a local topic, stamped as `topic` on Event Grid schema events. */
export function localTopicId(topicName: string): string {
  return `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.EventGrid/topics/${topicName}`;
}

/** Where dead letters are written unless told otherwise (relative to the working folder or the repository). */
export const DEFAULT_DEAD_LETTER_DIRECTORY = '.eventgrid/dead-letters';
