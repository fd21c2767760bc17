import Ajv, { JSONSchemaType, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * What the SMS Gateway for Android app (v1.68.0) can take from GET /settings and GET /webhooks,
 * written from its source: `SettingsService.update` and the `Importer`s of each section
 * (GatewaySettings, PingSettings, WebhooksSettings, …), `GatewayApi.WebHook` with the
 * `WebHookEvent` enum, and `WebHooksService.sync` with the app's network security config.
 */

/**
 * Each known section is cast to a map (a section that is not an object, null included, stops
 * the whole import); unknown sections and unknown keys are skipped. Within a section, a value
 * the importer cannot take throws: `cloud_url` must be https://, `notification_channel` one of
 * the enum's names, numbers are read through toString().toFloat(). The private token is the
 * user's own: a server has no business setting it.
 */
const section = (properties: Record<string, object>, extra: object = {}) => ({
  type: 'object',
  properties,
  ...extra,
});

export const settingsSchema = {
  $id: 'sms-gateway-settings',
  type: 'object',
  properties: {
    gateway: section(
      {
        cloud_url: { type: 'string', pattern: '^https://' },
        notification_channel: { enum: ['AUTO', 'SSE_ONLY', null] },
      },
      { not: { required: ['private_token'] } },
    ),
    ping: section({
      interval_seconds: { type: ['number', 'null'], minimum: 0 },
    }),
    webhooks: section({
      internet_required: { type: ['boolean', 'null'] },
      retry_count: { type: ['number', 'null'], minimum: 1 },
      signing_key: { type: ['string', 'null'] },
    }),
    messages: section({}),
    encryption: section({}),
    logs: section({}),
  },
} as const;

/** `WebHookEvent`'s serialized names: Gson turns any other name into null, which Room refuses. */
export const APP_WEBHOOK_EVENTS = [
  'sms:received',
  'sms:sent',
  'sms:delivered',
  'sms:failed',
  'system:ping',
  'sms:data-received',
  'mms:received',
  'mms:downloaded',
  'app:started',
  'sms:cancelled',
] as const;

export interface AppWebhook {
  id: string;
  url: string;
  event: string;
}

/**
 * `List<GatewayApi.WebHook>`: id (the primary key of the app's webhook table, so unique), url,
 * event. Sync stores any URL, but the release build's OkHttp sends cleartext only to 127.0.0.1
 * (network_security_config.xml): anything else must be https.
 */
export const webhooksSchema: JSONSchemaType<AppWebhook[]> = {
  $id: 'sms-gateway-webhooks',
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'url', 'event'],
    properties: {
      id: { type: 'string', minLength: 1 },
      url: {
        type: 'string',
        format: 'uri',
        pattern: '^(https://|http://127\\.0\\.0\\.1(:[0-9]+)?/)',
      },
      event: { type: 'string', enum: [...APP_WEBHOOK_EVENTS] },
    },
  },
};

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);

export const validateSettings: ValidateFunction = ajv.compile(settingsSchema);
export const validateWebhooks: ValidateFunction<AppWebhook[]> = ajv.compile(webhooksSchema);

/** The validator's errors, for a readable test failure (empty when valid). */
export function schemaErrors(validate: ValidateFunction, value: unknown): string[] {
  return validate(value)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}
