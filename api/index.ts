/**
 * The entry the Azure Functions host loads: registers every function of the app. The only
 * module with side effects; everything it registers comes from `functions/index.ts`.
 */
import { app } from '@azure/functions';
import { functionDefinitions } from './functions/index.js';

for (const definition of functionDefinitions) {
  if (definition.kind === 'http') app.http(definition.name, definition.options);
  else app.eventGrid(definition.name, definition.options);
}
