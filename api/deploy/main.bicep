// realtime-plot on Azure: SignalR Service (Serverless), an Event Grid custom topic delivering to the
// `ingest` function, a Function App (Flex Consumption, Linux, Node.js) with its storage account,
// and Application Insights. `main.json` beside this file is the same template as ARM JSON.
//
// Two steps on a first deployment (see README "Deploying to Azure"): deploy with
// subscribeIngest=false, zip-deploy the API (npm run build:api), then deploy again with
// subscribeIngest=true. Event Grid checks that the `ingest` function exists when the
// subscription is created, and the function exists only once the code is deployed.
//
// App settings: every setting the API reads (api/settings.ts, README "App settings") is a
// parameter of the same name, empty = the API's default; the connection strings and
// CORS_ALLOWED_ORIGINS are computed here.

@description('Azure region for every resource. Flex Consumption is not offered in every region: az functionapp list-flexconsumption-locations.')
param location string = resourceGroup().location

@description('Prefix of the default resource names.')
@minLength(3)
@maxLength(12)
param baseName string = 'rtplot'

@description('Function App name; its host name is <name>.azurewebsites.net. Globally unique.')
param functionAppName string = '${baseName}-api-${uniqueString(resourceGroup().id)}'

@description('Flex Consumption plan name.')
param planName string = '${baseName}-plan-${uniqueString(resourceGroup().id)}'

@description('SignalR Service name (<name>.service.signalr.net). Globally unique.')
param signalRName string = '${baseName}-signalr-${uniqueString(resourceGroup().id)}'

@description('Event Grid custom topic name.')
param eventGridTopicName string = '${baseName}-events-${uniqueString(resourceGroup().id)}'

@description('Storage account name: 3 to 24 lowercase letters and digits, globally unique.')
@minLength(3)
@maxLength(24)
param storageAccountName string = take('${toLower(replace(baseName, '-', ''))}${uniqueString(resourceGroup().id)}', 24)

@description('Log Analytics workspace name (Application Insights stores its data there).')
param logAnalyticsName string = '${baseName}-logs-${uniqueString(resourceGroup().id)}'

@description('Application Insights name.')
param appInsightsName string = '${baseName}-insights-${uniqueString(resourceGroup().id)}'

@description('Origins of the pages that embed the widget, e.g. ["https://www.example.com"]. Exact origins: credentials are allowed, so "*" is not accepted by browsers.')
@minLength(1)
param allowedOrigins array

@description('SignalR Service tier: Free_F1 (20 connections, 20,000 messages a day) or Standard_S1 (1,000 connections per unit).')
@allowed([
  'Free_F1'
  'Standard_S1'
])
param signalRSku string = 'Free_F1'

@description('SignalR units (Standard_S1 only; Free_F1 has exactly 1).')
@minValue(1)
@maxValue(100)
param signalRUnits int = 1

@description('Which SignalR access key the API signs with; switch to rotate the other one (README "Rotating keys").')
@allowed([
  'primary'
  'secondary'
])
param signalRKey string = 'primary'

@description('Which storage account key the connection strings use; switch to rotate the other one.')
@allowed([
  'key1'
  'key2'
])
param storageKey string = 'key1'

@description('Event schema publishers send to the topic.')
@allowed([
  'EventGridSchema'
  'CloudEventSchemaV1_0'
])
param topicInputSchema string = 'EventGridSchema'

@description('Create the topic subscription that delivers events to the ingest function. Needs the API deployed first.')
param subscribeIngest bool = false

@description('Node.js version of the Function App.')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '20'

@description('Memory of each Function App instance in MB. Billing is per GB-second of active instances, so 512 costs a quarter of 2048; raise it for heavy history traffic.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 512

@description('Most instances the Function App scales out to (Flex Consumption allows 40 to 1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Most log data Application Insights may store per day, in GB (-1 = no cap). A cap bounds the monitoring bill.')
@minValue(-1)
@maxValue(100)
param logsDailyCapInGb int = 1

@description('URL of the widget script, for the widgetSnippet output.')
param widgetScriptUrl string = 'https://cdn.jsdelivr.net/npm/realtime-plot/realtime-plot.js'

@description('Stream shown in the widgetSnippet output (the publisher\'s default stream).')
param snippetStream string = 'demo/stream-1'

@description('Tags on every resource.')
param tags object = {
  application: 'realtime-plot'
}

// ---- App settings of the API, by their own names (README "App settings"); empty = the API's default.

@description('SignalR hub name.')
param SIGNALR_HUB string = ''

@description('Storage connection string of the recent-points table; empty = the Function App storage account created here.')
@secure()
param RECENT_POINTS_STORAGE string = ''

@description('Recent-points table name.')
param RECENT_POINTS_TABLE string = ''

@description('Points kept per stream.')
param RECENT_POINTS_PER_STREAM string = ''

@description('Comma-separated stream patterns anyone may read, e.g. "demo/*". Empty = none.')
param PUBLIC_STREAMS string = ''

@description('HS256 secret (at least 32 bytes) that verifies caller tokens; or use CALLER_JWT_JWKS_URL.')
@secure()
param CALLER_JWT_SECRET string = ''

@description('JWKS URL that verifies caller tokens; or use CALLER_JWT_SECRET.')
param CALLER_JWT_JWKS_URL string = ''

@description('Required issuer (iss) of caller tokens.')
param CALLER_JWT_ISSUER string = ''

@description('Required audience (aud) of caller tokens.')
param CALLER_JWT_AUDIENCE string = ''

@description('Claim of a caller token that lists the stream patterns it may read.')
param CALLER_JWT_STREAMS_CLAIM string = ''

@description('Seconds of clock skew allowed when checking the times in caller tokens.')
param CALLER_JWT_CLOCK_SKEW_SECONDS string = ''

@description('Minutes an access token from negotiate is valid.')
param ACCESS_TOKEN_LIFETIME_MINUTES string = ''

@description('Hours after its expiry that a previous access token still keeps its user id (and so its subscriptions) at negotiate.')
param SESSION_GRACE_HOURS string = ''

@description('Seconds a subscription (user-group membership) lasts.')
param SUBSCRIPTION_TTL_SECONDS string = ''

@description('Seconds the API waits for a SignalR Service REST call.')
param SIGNALR_REQUEST_TIMEOUT_SECONDS string = ''

@description('negotiate requests per minute per client address (0 = no limit).')
param RATE_LIMIT_NEGOTIATE_PER_MINUTE string = ''

@description('subscribe and unsubscribe requests per minute per client address (0 = no limit).')
param RATE_LIMIT_SUBSCRIBE_PER_MINUTE string = ''

@description('history requests per minute per client address (0 = no limit).')
param RATE_LIMIT_HISTORY_PER_MINUTE string = ''

@description('Proxies of your own in front of the Function App (e.g. Front Door) that append to X-Forwarded-For.')
param RATE_LIMIT_TRUSTED_PROXY_HOPS string = ''

var deploymentContainerName = 'app-package'
var deadLetterContainerName = 'eventgrid-deadletter'
var storageKeyIndex = storageKey == 'key1' ? 0 : 1
var storageConnectionString = 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[storageKeyIndex].value};EndpointSuffix=${environment().suffixes.storage}'
var signalRConnectionString = signalRKey == 'primary' ? signalR.listKeys().primaryConnectionString : signalR.listKeys().secondaryConnectionString

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
    workspaceCapping: {
      dailyQuotaGb: logsDailyCapInGb
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // The API and the Functions host use connection strings (rotated with storageKey).
    allowSharedKeyAccess: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deadLetterContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource signalR 'Microsoft.SignalRService/signalR@2024-03-01' = {
  name: signalRName
  location: location
  tags: tags
  kind: 'SignalR'
  sku: {
    name: signalRSku
    capacity: signalRSku == 'Free_F1' ? 1 : signalRUnits
  }
  properties: {
    features: [
      {
        flag: 'ServiceMode'
        value: 'Serverless'
      }
      {
        flag: 'EnableConnectivityLogs'
        value: 'True'
      }
    ]
    cors: {
      allowedOrigins: allowedOrigins
    }
    // The API signs client tokens and REST calls with the access key.
    disableLocalAuth: false
    publicNetworkAccess: 'Enabled'
  }
}

resource topic 'Microsoft.EventGrid/topics@2022-06-15' = {
  name: eventGridTopicName
  location: location
  tags: tags
  properties: {
    inputSchema: topicInputSchema
    publicNetworkAccess: 'Enabled'
    // Publishers authenticate with the topic's access keys (aeg-sas-key or SAS tokens).
    disableLocalAuth: false
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'StorageAccountConnectionString'
            storageAccountConnectionStringName: 'DEPLOYMENT_STORAGE_CONNECTION_STRING'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      cors: {
        allowedOrigins: allowedOrigins
        // The SignalR client sends credentials on negotiate.
        supportCredentials: true
      }
      appSettings: [
        {
          name: 'AzureWebJobsStorage'
          value: storageConnectionString
        }
        {
          name: 'DEPLOYMENT_STORAGE_CONNECTION_STRING'
          value: storageConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        {
          name: 'AzureSignalRConnectionString'
          value: signalRConnectionString
        }
        {
          name: 'CORS_ALLOWED_ORIGINS'
          value: join(allowedOrigins, ',')
        }
        {
          name: 'SIGNALR_HUB'
          value: SIGNALR_HUB
        }
        {
          name: 'RECENT_POINTS_STORAGE'
          value: RECENT_POINTS_STORAGE
        }
        {
          name: 'RECENT_POINTS_TABLE'
          value: RECENT_POINTS_TABLE
        }
        {
          name: 'RECENT_POINTS_PER_STREAM'
          value: RECENT_POINTS_PER_STREAM
        }
        {
          name: 'PUBLIC_STREAMS'
          value: PUBLIC_STREAMS
        }
        {
          name: 'CALLER_JWT_SECRET'
          value: CALLER_JWT_SECRET
        }
        {
          name: 'CALLER_JWT_JWKS_URL'
          value: CALLER_JWT_JWKS_URL
        }
        {
          name: 'CALLER_JWT_ISSUER'
          value: CALLER_JWT_ISSUER
        }
        {
          name: 'CALLER_JWT_AUDIENCE'
          value: CALLER_JWT_AUDIENCE
        }
        {
          name: 'CALLER_JWT_STREAMS_CLAIM'
          value: CALLER_JWT_STREAMS_CLAIM
        }
        {
          name: 'CALLER_JWT_CLOCK_SKEW_SECONDS'
          value: CALLER_JWT_CLOCK_SKEW_SECONDS
        }
        {
          name: 'ACCESS_TOKEN_LIFETIME_MINUTES'
          value: ACCESS_TOKEN_LIFETIME_MINUTES
        }
        {
          name: 'SESSION_GRACE_HOURS'
          value: SESSION_GRACE_HOURS
        }
        {
          name: 'SUBSCRIPTION_TTL_SECONDS'
          value: SUBSCRIPTION_TTL_SECONDS
        }
        {
          name: 'SIGNALR_REQUEST_TIMEOUT_SECONDS'
          value: SIGNALR_REQUEST_TIMEOUT_SECONDS
        }
        {
          name: 'RATE_LIMIT_NEGOTIATE_PER_MINUTE'
          value: RATE_LIMIT_NEGOTIATE_PER_MINUTE
        }
        {
          name: 'RATE_LIMIT_SUBSCRIBE_PER_MINUTE'
          value: RATE_LIMIT_SUBSCRIBE_PER_MINUTE
        }
        {
          name: 'RATE_LIMIT_HISTORY_PER_MINUTE'
          value: RATE_LIMIT_HISTORY_PER_MINUTE
        }
        {
          name: 'RATE_LIMIT_TRUSTED_PROXY_HOPS'
          value: RATE_LIMIT_TRUSTED_PROXY_HOPS
        }
      ]
    }
  }
  dependsOn: [
    deploymentContainer
  ]
}

// Delivers every event of the topic to the ingest function (Event Grid trigger), in batches
// (api/local/stack/ingest-delivery-batching.ts holds the same values). The AzureFunction
// endpoint type needs no key in a URL: Event Grid reaches the function through its resource id,
// and checks that the function exists when this is created.
resource ingestSubscription 'Microsoft.EventGrid/topics/eventSubscriptions@2022-06-15' = if (subscribeIngest) {
  parent: topic
  name: 'ingest'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionApp.id}/functions/ingest'
        // Batched deliveries: the host still invokes ingest once per event, and the store writes a
        // stream's concurrent events in one transaction, which is where the throughput comes from.
        maxEventsPerBatch: 64
        preferredBatchSizeInKilobytes: 1024
      }
    }
    eventDeliverySchema: topicInputSchema
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    // Events still undelivered after the retries are kept here instead of being dropped.
    deadLetterDestination: {
      endpointType: 'StorageBlob'
      properties: {
        resourceId: storage.id
        blobContainerName: deadLetterContainerName
      }
    }
  }
  dependsOn: [
    deadLetterContainer
  ]
}

@description('The widget\'s hub attribute: the API base URL.')
output hub string = 'https://${functionApp.properties.defaultHostName}/api'

@description('Paste into a page served from one of allowedOrigins.')
output widgetSnippet string = '<script type="module" src="${widgetScriptUrl}"></script>\n<realtime-plot hub="https://${functionApp.properties.defaultHostName}/api" stream="${snippetStream}"></realtime-plot>'

@description('EVENTGRID_TOPIC_ENDPOINT for publishers.')
output eventGridTopicEndpoint string = topic.properties.endpoint

output functionAppName string = functionApp.name
output eventGridTopicName string = topic.name
output signalRName string = signalR.name
output storageAccountName string = storage.name

@description('Whether the topic delivers to the ingest function yet; if false, deploy the API, then deploy again with subscribeIngest=true.')
output ingestSubscribed bool = subscribeIngest
