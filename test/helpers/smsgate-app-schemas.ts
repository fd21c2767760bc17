import Ajv, { ValidateFunction } from 'ajv';

/**
 * JSON schemas of what the SMS Gateway for Android app (v1.68.0) reads from its server, written
 * from its GatewayApi.kt: the classes Gson fills. A Kotlin non-null field that is missing or null
 * makes the app fail later, so it is required and non-null here; a nullable field may be absent
 * or null. Dates are read with Gson's `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` (and, before Android 7,
 * the same pattern with a literal `Z` or `+hh:mm`): three fractional digits and a zone.
 */
const gsonDate = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2})$',
};
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });

/** ProcessingState, as Gson reads enum names. */
export const APP_PROCESSING_STATES = [
  'Pending',
  'Cancelling',
  'Cancelled',
  'Processed',
  'Sent',
  'Delivered',
  'Failed',
];

/** ExternalEventType: the SSE event names the app knows (an unknown one is an error there). */
export const APP_EVENT_TYPES = [
  'MessageEnqueued',
  'WebhooksUpdated',
  'MessagesExportRequested',
  'SettingsUpdated',
  'MessageCancelled',
];

/** DeviceRegisterResponse. */
export const deviceRegisterResponseSchema = {
  type: 'object',
  required: ['id', 'token', 'login'],
  properties: {
    id: { type: 'string', minLength: 1 },
    token: { type: 'string', minLength: 1 },
    login: { type: 'string', minLength: 1 },
    password: nullable({ type: 'string' }),
  },
};

/** DeviceGetResponse. */
export const deviceGetResponseSchema = {
  type: 'object',
  required: ['externalIp'],
  properties: { externalIp: { type: 'string', minLength: 1 } },
};

/** GatewayApi.Message: its `content` needs one of dataMessage, textMessage or message. */
export const messageSchema = {
  type: 'object',
  required: ['id', 'phoneNumbers'],
  properties: {
    id: { type: 'string', minLength: 1 },
    textMessage: nullable({
      type: 'object',
      required: ['text'],
      properties: { text: { type: 'string' } },
    }),
    dataMessage: nullable({
      type: 'object',
      required: ['data', 'port'],
      properties: {
        data: { type: 'string' },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
      },
    }),
    phoneNumbers: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
    simNumber: nullable({ type: 'integer' }),
    withDeliveryReport: nullable({ type: 'boolean' }),
    isEncrypted: nullable({ type: 'boolean' }),
    validUntil: nullable(gsonDate),
    scheduleAt: nullable(gsonDate),
    priority: nullable({ type: 'integer', minimum: -128, maximum: 127 }),
    state: nullable({ enum: APP_PROCESSING_STATES }),
    createdAt: nullable(gsonDate),
    message: nullable({ type: 'string' }),
  },
  anyOf: [
    { required: ['textMessage'], properties: { textMessage: { type: 'object' } } },
    { required: ['dataMessage'], properties: { dataMessage: { type: 'object' } } },
    { required: ['message'], properties: { message: { type: 'string' } } },
  ],
};

/** `GET /message`: List<Message>. */
export const messageListSchema = { type: 'array', items: messageSchema, maxItems: 100 };

/** MessageCancelledEvent.Payload, the data of a `MessageCancelled` event. */
export const messageCancelledPayloadSchema = {
  type: 'object',
  required: ['messageId'],
  properties: { messageId: { type: 'string', minLength: 1 } },
};

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<object, ValidateFunction>();

/** The schema's errors for `value`, as readable lines; empty when it validates. */
export function schemaErrors(schema: object, value: unknown): string[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
}
