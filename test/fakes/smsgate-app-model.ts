import { randomBytes } from 'node:crypto';
import { parseGsonDate } from './smsgate-gson';

/**
 * The SMS Gateway for Android app's data and rules without I/O, for the simulator
 * (smsgate-app-simulator.ts): its states, what it reads from the server and how, how it derives a
 * message's state from its recipients', its settings import and its health report.
 */

export type ProcessingState =
  | 'Pending'
  | 'Cancelling'
  | 'Cancelled'
  | 'Processed'
  | 'Sent'
  | 'Delivered'
  | 'Failed';

export const PROCESSING_STATES: readonly ProcessingState[] = [
  'Pending',
  'Cancelling',
  'Cancelled',
  'Processed',
  'Sent',
  'Delivered',
  'Failed',
];

export const EXTERNAL_EVENT_TYPES = [
  'MessageEnqueued',
  'WebhooksUpdated',
  'MessagesExportRequested',
  'SettingsUpdated',
  'MessageCancelled',
] as const;
export type ExternalEventType = (typeof EXTERNAL_EVENT_TYPES)[number];

export const WEBHOOK_EVENTS = [
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
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface SimCardSpec {
  /** 0-based slot; simNumber is slotIndex + 1. */
  slotIndex: number;
  phoneNumber?: string | null;
  carrierName?: string | null;
  iccid?: string | null;
  /** Android's subscription id for the SIM (what an incoming SMS carries); default slot + 1. */
  subscriptionId?: number;
}

export interface Registration {
  id: string;
  token: string;
  login: string;
  password: string | null;
}

/** What the phone sends, and what the radio then says, for one recipient of one message. */
export interface OutgoingSms {
  messageId: string;
  phoneNumber: string;
  text: string | null;
  data: { data: string; port: number } | null;
  /** The SIM used (1-based), or null when Android's default SIM was left to choose. */
  simNumber: number | null;
  partsCount: number;
  withDeliveryReport: boolean;
}

/**
 * - `delivered`: sent, then delivered (a message without a delivery report stays `Sent`).
 * - `sent`: sent; no delivery report ever comes.
 * - `failed`: the radio refuses it (Failed, "Send result: …").
 * - `undelivered`: sent, then the delivery report says it failed.
 * - `rejected`: SmsManager throws before sending (Failed, "sendSMS: …").
 * - `silent`: handed to the radio (Processed) and nothing more is ever heard.
 */
export interface RecipientOutcome {
  result: 'delivered' | 'sent' | 'failed' | 'undelivered' | 'rejected' | 'silent';
  sentAfterMs?: number;
  deliveredAfterMs?: number;
  error?: string;
}

export interface BatteryStatus {
  /** 0-100. */
  level: number;
  plugged: 'none' | 'ac' | 'usb';
  charging: boolean;
}

export interface ConnectivityStatus {
  online: boolean;
  transports: Array<'cellular' | 'wifi' | 'ethernet'>;
  cellular: 'None' | 'Unknown' | 'Mobile2G' | 'Mobile3G' | 'Mobile4G' | 'Mobile5G';
}

export interface LocalRecipient {
  phoneNumber: string;
  state: ProcessingState;
  error: string | null;
}

export interface LocalMessage {
  id: string;
  rowId: number;
  text: string | null;
  data: { data: string; port: number } | null;
  withDeliveryReport: boolean;
  /** As given by the server (1-based) or as chosen by the phone; null = Android's default. */
  simNumber: number | null;
  validUntil: Date | null;
  scheduleAt: Date | null;
  priority: number;
  createdAt: Date;
  state: ProcessingState;
  partsCount: number | null;
  recipients: LocalRecipient[];
  /** First time the message reached each state (the app's MessageState rows). */
  states: Map<ProcessingState, Date>;
}

export interface HttpExchange {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  status: number | null;
  error?: string;
}

export interface WebhookDelivery {
  event: WebhookEvent;
  url: string;
  attempt: number;
  headers: Record<string, string>;
  body: string;
  status: number | null;
  error?: string;
}

export interface InboxSms {
  from: string;
  text: string;
  receivedAt: Date;
  subscriptionId: number | null;
}

export interface ServerMessage {
  id: string;
  text: string | null;
  data: { data: string; port: number } | null;
  phoneNumbers: string[];
  simNumber: number | null;
  withDeliveryReport: boolean | null;
  isEncrypted: boolean | null;
  validUntil: Date | null;
  scheduleAt: Date | null;
  priority: number | null;
  state: ProcessingState | null;
  createdAt: Date | null;
}

export interface WebhookConfig {
  id: string;
  url: string;
  event: WebhookEvent;
}

export class HttpCallError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export const PRIORITY_EXPEDITED = 100;
export const SEND_RESULT_GENERIC_FAILURE =
  'Send result: RESULT_ERROR_GENERIC_FAILURE (Generic failure cause)';
export const REPORT_RETRIES = 10;
const GSM_7BIT =
  /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà^{}\\[~\]|€]*$/;

export function redact(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value.length > 4) return '*'.repeat(value.length - 4) + value.slice(-4);
  return '****';
}

export function nanoId(size = 21): string {
  const alphabet = '_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return [...randomBytes(size)].map((byte) => alphabet[byte & 63]).join('');
}

/** How many SMS parts Android's divideMessage makes of a text. */
export function smsPartsOf(text: string): number {
  const gsm = GSM_7BIT.test(text);
  const length = gsm
    ? [...text].reduce((n, c) => n + ('^{}\\[~]|€'.includes(c) ? 2 : 1), 0)
    : text.length;
  const single = gsm ? 160 : 70;
  const multi = gsm ? 153 : 67;
  return length <= single ? 1 : Math.ceil(length / multi);
}

export function stateOfRecipients(recipients: LocalRecipient[]): ProcessingState {
  const any = (state: ProcessingState) => recipients.some((r) => r.state === state);
  const all = (state: ProcessingState) => recipients.every((r) => r.state === state);
  if (any('Pending')) return 'Pending';
  if (any('Cancelling')) return 'Cancelling';
  if (any('Cancelled')) return 'Cancelled';
  if (any('Processed')) return 'Processed';
  if (all('Failed')) return 'Failed';
  if (all('Delivered')) return 'Delivered';
  return 'Sent';
}

export function readRegistration(body: unknown): Registration {
  const value = body as Record<string, unknown> | null;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('POST /device: the answer is not a JSON object');
  }
  for (const field of ['id', 'token', 'login'] as const) {
    // Kotlin's non-null String: a null or missing one fails the registration.
    if (typeof value[field] !== 'string') {
      throw new Error(
        `POST /device: "${field}" must be a string, got ${JSON.stringify(value[field])}`,
      );
    }
  }
  const password = value.password;
  if (password !== undefined && password !== null && typeof password !== 'string') {
    throw new Error(`POST /device: "password" must be a string or null`);
  }
  return {
    id: value.id as string,
    token: value.token as string,
    login: value.login as string,
    password: (password as string | null | undefined) ?? null,
  };
}

/** Gson's reading of one element; a bad date fails the whole list, bad content only this one. */
export function readServerMessage(
  item: unknown,
  index: number,
  warn: (error: Error) => void,
): ServerMessage | null {
  const raw = item as Record<string, unknown> | null;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error(`GET /message: item ${index} is not an object`);
  }
  const validUntil = parseGsonDate(raw.validUntil, `item ${index}.validUntil`);
  const scheduleAt = parseGsonDate(raw.scheduleAt, `item ${index}.scheduleAt`);
  const createdAt = parseGsonDate(raw.createdAt, `item ${index}.createdAt`);
  const state = raw.state === undefined || raw.state === null ? null : raw.state;
  if (state !== null && !PROCESSING_STATES.includes(state as ProcessingState)) {
    // Gson reads an unknown enum constant as null, which the app treats as Pending.
    warn(new Error(`GET /message: item ${index} has unknown state ${JSON.stringify(state)}`));
  }
  const textMessage = raw.textMessage as { text?: unknown } | null | undefined;
  const dataMessage = raw.dataMessage as { data?: unknown; port?: unknown } | null | undefined;
  let text: string | null = null;
  let data: { data: string; port: number } | null = null;
  if (dataMessage && typeof dataMessage === 'object') {
    data = { data: String(dataMessage.data), port: Number(dataMessage.port) };
  } else if (
    textMessage &&
    typeof textMessage === 'object' &&
    typeof textMessage.text === 'string'
  ) {
    text = textMessage.text;
  } else if (typeof raw.message === 'string') {
    text = raw.message;
  }
  if (typeof raw.id !== 'string' || !Array.isArray(raw.phoneNumbers)) {
    warn(new Error(`GET /message: item ${index} needs a string id and a phoneNumbers list`));
    return null;
  }
  if (text === null && data === null) {
    warn(new Error(`GET /message: item ${index} (${raw.id}): Invalid message content`));
    return null;
  }
  const optionalNumber = (value: unknown) => (typeof value === 'number' ? value : null);
  const optionalBoolean = (value: unknown) => (typeof value === 'boolean' ? value : null);
  return {
    id: raw.id,
    text,
    data,
    phoneNumbers: raw.phoneNumbers.map(String),
    simNumber: optionalNumber(raw.simNumber),
    withDeliveryReport: optionalBoolean(raw.withDeliveryReport),
    isEncrypted: optionalBoolean(raw.isEncrypted),
    validUntil,
    scheduleAt,
    priority: optionalNumber(raw.priority),
    state: PROCESSING_STATES.includes(state as ProcessingState) ? (state as ProcessingState) : null,
    createdAt,
  };
}

export function importSetting(
  storage: Map<string, unknown>,
  section: string,
  key: string,
  value: unknown,
): boolean {
  const name = `${section}.${key}`;
  const before = storage.get(name);
  const asInt = (v: unknown) => {
    if (v === null || v === undefined) return null;
    const number = Math.trunc(Number(String(v)));
    if (Number.isNaN(number))
      throw new Error(`Failed to import ${section}: ${key} is not a number`);
    return number;
  };
  const asEnum = (v: unknown, allowed: string[], fallback: string) => {
    if (v === null || v === undefined) return fallback;
    if (!allowed.includes(String(v))) {
      throw new Error(`Failed to import ${section}: No enum constant ${String(v)}`);
    }
    return String(v);
  };
  let next: unknown;
  switch (name) {
    case 'gateway.cloud_url':
      next = value === null || value === undefined ? null : String(value);
      if (next !== null && !(next as string).startsWith('https://')) {
        throw new Error('Failed to import gateway: url must start with https://');
      }
      break;
    case 'gateway.private_token':
      next = value === null || value === undefined ? null : String(value);
      break;
    case 'gateway.notification_channel':
      next = asEnum(value, ['AUTO', 'SSE_ONLY'], 'AUTO');
      break;
    case 'messages.processing_order':
      next = asEnum(value, ['LIFO', 'FIFO'], 'LIFO');
      break;
    case 'messages.sim_selection_mode':
      next = asEnum(value, ['OSDefault', 'RoundRobin', 'Random'], 'OSDefault');
      break;
    case 'messages.limit_period':
      next = asEnum(
        value,
        ['Disabled', 'PerMinute', 'Per30Minutes', 'PerHour', 'PerDay'],
        'Disabled',
      );
      break;
    case 'messages.send_interval_min':
    case 'messages.send_interval_max':
    case 'messages.limit_value':
    case 'messages.log_lifetime_days':
    case 'webhooks.retry_count':
      next = asInt(value);
      break;
    case 'ping.interval_seconds': {
      const seconds = asInt(value);
      next = seconds !== null && seconds > 0 ? seconds : null;
      break;
    }
    case 'webhooks.internet_required':
      next = value === null || value === undefined ? null : String(value) === 'true';
      break;
    case 'webhooks.signing_key':
      next = value === null || value === undefined ? null : String(value);
      break;
    default:
      return false;
  }
  if (next === null) storage.delete(name);
  else storage.set(name, next);
  return before !== next;
}

/** HealthResponse: version, releaseId, status, checks (messages, connection, battery). */
export function healthOf(phone: {
  messages: Iterable<LocalMessage>;
  battery: BatteryStatus;
  connectivity: ConnectivityStatus;
  version: string;
  releaseId: number;
}) {
  const hourAgo = Date.now() - 3_600_000;
  let failed = 0;
  let processed = 0;
  for (const message of phone.messages) {
    const at = message.states.get(message.state)?.getTime() ?? 0;
    if (at < hourAgo) continue;
    if (message.state === 'Failed') failed++;
    else if (!['Pending', 'Cancelling', 'Cancelled'].includes(message.state)) processed++;
  }
  const transportFlags = { cellular: 2, wifi: 4, ethernet: 8 } as const;
  const transports = phone.connectivity.online ? phone.connectivity.transports : [];
  const cellularTypes = ['None', 'Unknown', 'Mobile2G', 'Mobile3G', 'Mobile4G', 'Mobile5G'];
  const check = (
    status: string,
    observedValue: number,
    observedUnit: string,
    description: string,
  ) => ({
    status,
    observedValue,
    observedUnit,
    description,
  });
  const level = Math.trunc(phone.battery.level);
  const checks = new Map<string, unknown>([
    [
      'messages:failed',
      check(
        failed > 0 && processed === 0 ? 'fail' : failed > 0 ? 'warn' : 'pass',
        failed,
        'messages',
        'Failed messages for last hour',
      ),
    ],
    [
      'connection:status',
      check(
        phone.connectivity.online ? 'pass' : 'fail',
        phone.connectivity.online ? 1 : 0,
        'boolean',
        'Internet connection status',
      ),
    ],
    [
      'connection:transport',
      check(
        transports.length === 0 ? 'fail' : 'pass',
        transports.reduce((sum, t) => sum + transportFlags[t], 0),
        'flags',
        'Network transport type',
      ),
    ],
    [
      'connection:cellular',
      check(
        'pass',
        cellularTypes.indexOf(
          transports.includes('cellular') ? phone.connectivity.cellular : 'None',
        ),
        'index',
        'Cellular network type',
      ),
    ],
    [
      'battery:level',
      check(
        level < 10 ? 'fail' : level < 25 ? 'warn' : 'pass',
        level,
        'percent',
        'Battery level in percent',
      ),
    ],
    [
      'battery:charging',
      check(
        'pass',
        (phone.battery.plugged === 'ac' ? 2 : phone.battery.plugged === 'usb' ? 4 : 0) +
          (phone.battery.charging ? 1 : 0),
        'flags',
        'Is the phone charging?',
      ),
    ],
  ]);
  const statuses = [...checks.values()].map((c) => (c as { status: string }).status);
  return {
    version: phone.version,
    releaseId: phone.releaseId,
    status: statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'pass',
    checks,
  };
}
