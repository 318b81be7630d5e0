import { app } from '@azure/functions';
import { TableClient } from '@azure/data-tables';
import { jwtVerify } from 'jose';
void TableClient; void jwtVerify;
app.http('negotiate', { methods: ['POST'], authLevel: 'anonymous', route: 'negotiate', handler: async () => ({ status: 200 }) });
app.http('subscribe', { methods: ['POST'], authLevel: 'anonymous', handler: async () => ({ status: 200 }) });
app.http('history', { methods: ['GET'], authLevel: 'anonymous', route: 'streams/{stream}/history', handler: async () => ({ status: 200 }) });
app.eventGrid('ingest', { handler: async () => {} });
app.http('unsubscribe', { methods: ['POST'], authLevel: 'anonymous', handler: async () => ({ status: 200 }) });
