import { startSignalRService } from '../../api/local/signalr/index.js';
import { clientToken } from './support.js';
import { HubConnectionBuilder, LogLevel, HttpTransportType } from '@microsoft/signalr';
const s = await startSignalRService({ port: 0, log: console.log });
const c = new HubConnectionBuilder().withUrl(`${s.endpoint}/client/?hub=chat`, { transport: HttpTransportType.WebSockets, accessTokenFactory: () => clientToken(s, { hub: 'chat', userId: 'u' }) }).configureLogging(LogLevel.None).build();
try { await c.start(); console.log('started', c.connectionId); } catch (e) { console.log('ERR', e, (e as any).cause); }
await c.stop(); console.log("client stopped"); await new Promise(r=>setTimeout(r,200)); await s.stop();
