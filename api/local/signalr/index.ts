/** The local SignalR Service stand-in: start it, get its connection string, stop it. */
export { startSignalRService, type LocalSignalRService, type SignalRServiceOptions } from './service.js';
export { DEFAULT_ACCESS_KEY, DEFAULT_HOST, DEFAULT_PORT } from './options.js';
