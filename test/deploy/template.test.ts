// The infrastructure template: main.json (ARM) mirrors main.bicep, is well formed, and agrees
// with the code it deploys: the API's setting names (api/settings.ts), its functions and
// triggers (as the built package registers them), and host.json's route prefix.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { INGEST_DELIVERY_BATCHING } from '../../api/local/stack/ingest-delivery-batching.js';
import { SETTING } from '../../api/settings.js';
import { callsIn, evaluate, expressionsIn, parseExpression, type ArmEvaluationContext } from './arm-expression.js';
import { outlineBicep, type BicepOutline } from './bicep-outline.js';
import { buildAndIndexApi, type BuiltApi } from './built-api.js';

const deployDir = join(import.meta.dirname, '../../api/deploy');

interface ArmResource {
  type: string;
  apiVersion: string;
  name: string;
  condition?: string;
  properties?: any;
  sku?: any;
  kind?: string;
}
interface ArmTemplate {
  parameters: Record<string, { type: string; defaultValue?: unknown }>;
  variables: Record<string, unknown>;
  resources: ArmResource[];
  outputs: Record<string, { type: string; value: unknown }>;
}

/** App settings the template sets for the platform rather than for the API's own code. */
const PLATFORM_SETTINGS = ['APPLICATIONINSIGHTS_CONNECTION_STRING', 'DEPLOYMENT_STORAGE_CONNECTION_STRING'];
/** API settings whose values the template computes from the resources it creates. */
const COMPUTED_SETTINGS: string[] = [SETTING.hostStorage, SETTING.signalRConnectionString, SETTING.corsAllowedOrigins];
/** Settings the Flex Consumption plan rejects (it takes runtime and deployment from functionAppConfig). */
const FLEX_REJECTED_SETTINGS = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
];

/** The ARM template functions main.json may call (a typo in a function name fails the expression check). */
const ARM_FUNCTIONS = new Set([
  'environment', 'equals', 'format', 'if', 'join', 'listKeys', 'parameters', 'reference', 'replace', 'resourceGroup',
  'resourceId', 'take', 'toLower', 'uniqueString', 'variables',
]);

let template: ArmTemplate;
let bicep: BicepOutline;
let built: BuiltApi;
before(async () => {
  template = JSON.parse(await readFile(join(deployDir, 'main.json'), 'utf8')) as ArmTemplate;
  bicep = outlineBicep(await readFile(join(deployDir, 'main.bicep'), 'utf8'));
  built = await buildAndIndexApi();
});
after(async () => {
  await built?.remove();
});

const resource = (type: string): ArmResource => {
  const found = template.resources.filter((candidate) => candidate.type === type);
  assert.equal(found.length, 1, `one ${type}`);
  return found[0]!;
};
const appSettings = (): Array<{ name: string; value: string }> => resource('Microsoft.Web/sites').properties.siteConfig.appSettings;

const RESOURCE_GROUP_ID = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/plots';

/** Deployment-time values for evaluating expressions: `overrides` on top of literal defaults. */
function deployment(overrides: Record<string, unknown> = {}): ArmEvaluationContext {
  const literalDefaults = Object.fromEntries(
    Object.entries(template.parameters)
      .filter(([, parameter]) => parameter.defaultValue !== undefined && !String(parameter.defaultValue).startsWith('['))
      .map(([name, parameter]) => [name, parameter.defaultValue]),
  );
  const names = {
    functionAppName: 'plot-api',
    planName: 'plot-plan',
    signalRName: 'plot-signalr',
    eventGridTopicName: 'plot-events',
    storageAccountName: 'plotstorage',
    logAnalyticsName: 'plot-logs',
    appInsightsName: 'plot-insights',
    location: 'westeurope',
    allowedOrigins: ['https://www.example.com'],
  };
  const resourceOf = (id: string): { type: string; name: string } => {
    const [, providerPath] = id.split('/providers/');
    const segments = providerPath!.split('/');
    const type = [segments[0], ...segments.slice(1).filter((_, i) => i % 2 === 0)].join('/');
    const declared = template.resources.find((candidate) => candidate.type === type);
    assert.ok(declared, `${type} is a resource of the template`);
    return { type, name: segments.at(-1)! };
  };
  const checked = (id: string, apiVersion: string): { type: string; name: string } => {
    const target = resourceOf(id);
    assert.equal(apiVersion, resource(target.type).apiVersion, `${target.type} is read at its declared API version`);
    return target;
  };
  return {
    parameters: { ...literalDefaults, ...names, ...overrides },
    variables: template.variables,
    resourceGroupId: RESOURCE_GROUP_ID,
    storageSuffix: 'core.windows.net',
    reference(id, apiVersion) {
      const { type, name } = checked(id, apiVersion);
      const runtime: Record<string, unknown> = {
        'Microsoft.Web/sites': { defaultHostName: `${name}.azurewebsites.net` },
        'Microsoft.Storage/storageAccounts': { primaryEndpoints: { blob: `https://${name}.blob.core.windows.net/` } },
        'Microsoft.Insights/components': { ConnectionString: 'InstrumentationKey=00000000-0000-0000-0000-000000000000' },
        'Microsoft.EventGrid/topics': { endpoint: `https://${name}.westeurope-1.eventgrid.azure.net/api/events` },
      };
      assert.ok(type in runtime, `no runtime state for ${type}`);
      return runtime[type];
    },
    listKeys(id, apiVersion) {
      const { type } = checked(id, apiVersion);
      const keys: Record<string, unknown> = {
        'Microsoft.Storage/storageAccounts': { keys: [{ keyName: 'key1', value: 'STORAGE-KEY-1' }, { keyName: 'key2', value: 'STORAGE-KEY-2' }] },
        'Microsoft.SignalRService/signalR': { primaryConnectionString: 'SIGNALR-PRIMARY', secondaryConnectionString: 'SIGNALR-SECONDARY' },
      };
      assert.ok(type in keys, `no keys for ${type}`);
      return keys[type];
    },
  };
}

const settingValue = (name: string, context: ArmEvaluationContext): unknown => {
  const setting = appSettings().find((candidate) => candidate.name === name);
  assert.ok(setting, `app setting ${name}`);
  return evaluate(setting.value, context);
};

test('main.json declares the parameters of main.bicep, with the same types', () => {
  const fromBicep = bicep.parameters.map(({ name, type, secure }) => [name, secure ? `secure${type}` : type]);
  const fromJson = Object.entries(template.parameters).map(([name, parameter]) => [name, parameter.type]);
  assert.deepEqual(fromJson, fromBicep);
});

test('main.json deploys the resources of main.bicep at the same API versions, conditional where Bicep says so', () => {
  assert.deepEqual(
    template.resources.map((candidate) => [candidate.type, candidate.apiVersion, candidate.condition !== undefined]),
    bicep.resources.map((candidate) => [candidate.type, candidate.apiVersion, candidate.conditional]),
  );
});

test('main.json has the outputs of main.bicep', () => {
  assert.deepEqual(
    Object.entries(template.outputs).map(([name, output]) => [name, output.type]),
    bicep.outputs.map(({ name, type }) => [name, type]),
  );
});

test('main.json and main.bicep set the same app settings, each API setting from the parameter of its name', () => {
  assert.deepEqual(appSettings().map(({ name }) => name), bicep.appSettings.map(({ name }) => name));
  for (const { name, value } of bicep.appSettings) {
    if (name in template.parameters) {
      assert.equal(value, name, `${name} comes from parameter ${name} in main.bicep`);
      assert.equal(appSettings().find((setting) => setting.name === name)!.value, `[parameters('${name}')]`, `and in main.json`);
    }
  }
});

test('every setting the API reads is an app setting, and every app setting is one the API or the platform reads', () => {
  const apiSettings = Object.values(SETTING) as string[];
  const names = appSettings().map(({ name }) => name);
  assert.deepEqual(names.filter((name) => !PLATFORM_SETTINGS.includes(name)).sort(), [...apiSettings].sort());
  for (const name of apiSettings.filter((setting) => !COMPUTED_SETTINGS.includes(setting))) {
    assert.equal(template.parameters[name]?.defaultValue, '', `${name} defaults to empty, which the API reads as its own default`);
  }
  for (const rejected of FLEX_REJECTED_SETTINGS) assert.ok(!names.includes(rejected), `${rejected} is not set on Flex Consumption`);
  assert.equal(template.parameters[SETTING.callerJwtSecret]!.type, 'securestring');
  assert.equal(template.parameters[SETTING.recentPointsStorage]!.type, 'securestring');
});

test('every expression parses and calls ARM functions on declared parameters and variables, and every parameter is used', () => {
  const used = new Set<string>();
  for (const { path, source } of expressionsIn(template)) {
    const calls = callsIn(parseExpression(source));
    for (const call of calls) {
      assert.ok(ARM_FUNCTIONS.has(call.name), `${path}: ${call.name}() is an ARM function`);
      if (call.name === 'parameters' || call.name === 'variables') {
        const [argument] = call.args;
        assert.equal(argument?.kind, 'string', `${path}: ${call.name}() takes a literal name`);
        const name = (argument as { value: string }).value;
        const declared = call.name === 'parameters' ? template.parameters : template.variables;
        assert.ok(name in declared, `${path}: ${call.name}('${name}') is declared`);
        if (call.name === 'parameters') used.add(name);
      }
    }
  }
  assert.deepEqual(Object.keys(template.parameters).filter((name) => !used.has(name)), []);
});

test('SignalR Service runs in Serverless mode for the page origins, and the API signs with the chosen key', () => {
  const signalR = resource('Microsoft.SignalRService/signalR');
  assert.deepEqual(signalR.properties.features.find((feature: any) => feature.flag === 'ServiceMode'), { flag: 'ServiceMode', value: 'Serverless' });
  const origins = ['https://www.example.com', 'https://cms.example.org'];
  assert.deepEqual(evaluate(signalR.properties.cors.allowedOrigins, deployment({ allowedOrigins: origins })), origins);
  assert.deepEqual(evaluate(signalR.sku, deployment({ signalRSku: 'Free_F1', signalRUnits: 3 })), { name: 'Free_F1', capacity: 1 });
  assert.deepEqual(evaluate(signalR.sku, deployment({ signalRSku: 'Standard_S1', signalRUnits: 3 })), { name: 'Standard_S1', capacity: 3 });
  assert.equal(settingValue(SETTING.signalRConnectionString, deployment()), 'SIGNALR-PRIMARY');
  assert.equal(settingValue(SETTING.signalRConnectionString, deployment({ signalRKey: 'secondary' })), 'SIGNALR-SECONDARY');
});

test('the host and the recent-points table use the storage account with the chosen key', () => {
  const expected = (key: string) => `DefaultEndpointsProtocol=https;AccountName=plotstorage;AccountKey=${key};EndpointSuffix=core.windows.net`;
  for (const [storageKey, value] of [['key1', 'STORAGE-KEY-1'], ['key2', 'STORAGE-KEY-2']] as const) {
    assert.equal(settingValue(SETTING.hostStorage, deployment({ storageKey })), expected(value));
    assert.equal(settingValue('DEPLOYMENT_STORAGE_CONNECTION_STRING', deployment({ storageKey })), expected(value));
  }
  assert.equal(settingValue(SETTING.recentPointsStorage, deployment()), '', 'empty: the API falls back to AzureWebJobsStorage');
});

test('the Function App runs Node.js on Flex Consumption and allows credentialed CORS from exactly the page origins', () => {
  const plan = resource('Microsoft.Web/serverfarms');
  assert.deepEqual(plan.sku, { tier: 'FlexConsumption', name: 'FC1' });
  assert.equal(plan.properties.reserved, true, 'Linux');
  const site = resource('Microsoft.Web/sites');
  assert.equal(site.kind, 'functionapp,linux');
  const context = deployment({ nodeVersion: '20', allowedOrigins: ['https://a.example', 'https://b.example'] });
  const config = evaluate(site.properties.functionAppConfig, context) as any;
  assert.deepEqual(config.runtime, { name: 'node', version: '20' });
  assert.equal(config.deployment.storage.value, 'https://plotstorage.blob.core.windows.net/app-package');
  assert.equal(config.deployment.storage.authentication.storageAccountConnectionStringName, 'DEPLOYMENT_STORAGE_CONNECTION_STRING');
  assert.deepEqual(evaluate(site.properties.siteConfig.cors, context), { allowedOrigins: ['https://a.example', 'https://b.example'], supportCredentials: true });
  assert.equal(settingValue(SETTING.corsAllowedOrigins, context), 'https://a.example,https://b.example');
  assert.equal(site.properties.httpsOnly, true);
});

test('the topic subscription, when enabled, delivers to the function the built app registers with the Event Grid trigger', () => {
  const eventGridFunctions = built.indexed.functions
    .filter((indexed) => indexed.bindings.some((binding) => binding.type === 'eventGridTrigger'))
    .map((indexed) => indexed.name);
  assert.deepEqual(eventGridFunctions, ['ingest']);

  const subscription = resource('Microsoft.EventGrid/topics/eventSubscriptions');
  assert.equal(evaluate(subscription.condition, deployment({ subscribeIngest: false })), false);
  assert.equal(evaluate(subscription.condition, deployment({ subscribeIngest: true })), true);
  const properties = evaluate(subscription.properties, deployment({ topicInputSchema: 'CloudEventSchemaV1_0' })) as any;
  assert.equal(properties.destination.endpointType, 'AzureFunction');
  assert.equal(properties.destination.properties.resourceId, `${RESOURCE_GROUP_ID}/providers/Microsoft.Web/sites/plot-api/functions/${eventGridFunctions[0]}`);
  const { maxEventsPerBatch, preferredBatchSizeInKilobytes } = properties.destination.properties;
  assert.deepEqual({ maxEventsPerBatch, preferredBatchSizeInKilobytes }, INGEST_DELIVERY_BATCHING, 'batched as the local stack batches');
  assert.equal(properties.eventDeliverySchema, 'CloudEventSchemaV1_0', 'delivered in the schema publishers use');
  assert.deepEqual(properties.deadLetterDestination, {
    endpointType: 'StorageBlob',
    properties: { resourceId: `${RESOURCE_GROUP_ID}/providers/Microsoft.Storage/storageAccounts/plotstorage`, blobContainerName: 'eventgrid-deadletter' },
  });
  assert.equal(evaluate(resource('Microsoft.EventGrid/topics').properties.inputSchema, deployment({ topicInputSchema: 'CloudEventSchemaV1_0' })), 'CloudEventSchemaV1_0');
});

test('the hub output is the Function App under the route prefix of host.json, and the widget snippet uses it', async () => {
  const host = JSON.parse(await readFile(join(built.apiPackage.outDir, 'host.json'), 'utf8')) as { extensions: { http: { routePrefix: string } } };
  const context = deployment({ widgetScriptUrl: 'https://cdn.example.net/realtime-plot.js', snippetStream: 'boiler-7/temperature' });
  const hub = evaluate(template.outputs.hub!.value, context);
  assert.equal(hub, `https://plot-api.azurewebsites.net/${host.extensions.http.routePrefix}`);
  assert.equal(
    evaluate(template.outputs.widgetSnippet!.value, context),
    `<script type="module" src="https://cdn.example.net/realtime-plot.js"></script>\n<realtime-plot hub="${hub}" stream="boiler-7/temperature"></realtime-plot>`,
  );
  assert.equal(evaluate(template.outputs.eventGridTopicEndpoint!.value, context), 'https://plot-events.westeurope-1.eventgrid.azure.net/api/events');
});
