import { HttpStatus } from '@nestjs/common';
import { AppException } from '@app/core';
import {
  ExternalRequest,
  ExternalRequestInput,
  MessageView,
  PROGRESS_OF_STATUS,
  RequestProgress,
} from '@app/messaging';
import { ClientMessageStateDto, ClientSendMessageDto, ProcessState } from './client-api.dto';

const STATE_OF_PROGRESS: Record<RequestProgress, ProcessState> = {
  pending: ProcessState.Pending,
  processed: ProcessState.Processed,
  sent: ProcessState.Sent,
  delivered: ProcessState.Delivered,
  failed: ProcessState.Failed,
};

const PROGRESS_OF_STATE = Object.fromEntries(
  Object.entries(STATE_OF_PROGRESS).map(([progress, state]) => [state, progress]),
) as Record<ProcessState, RequestProgress>;

export const progressOf = (state: ProcessState): RequestProgress => PROGRESS_OF_STATE[state];

function badRequest(code: string, detail: string): AppException {
  return new AppException(HttpStatus.BAD_REQUEST, code, detail);
}

/**
 * A send request of the client API as a Switchboard request (its clients send null for a field
 * they leave out). Its rules are the app server's:
 * exactly one content (`textMessage`, or the older `message`), `ttl` or `validUntil` but not both,
 * `scheduleAt` in the future.
 */
export function requestInputOf(request: ClientSendMessageDto, now: number): ExternalRequestInput {
  if (request.dataMessage != null) {
    throw badRequest('DATA_MESSAGE_NOT_SUPPORTED', 'Switchboard sends text messages only.');
  }
  if (request.isEncrypted) {
    throw badRequest(
      'ENCRYPTION_NOT_SUPPORTED',
      'Switchboard sends what it stores: send the text unencrypted (over HTTPS).',
    );
  }
  if (request.message != null && request.textMessage != null) {
    throw badRequest('CONFLICTING_FIELDS', 'Give textMessage or message, not both.');
  }
  const body = request.textMessage?.text ?? request.message;
  if (body == null) {
    throw badRequest('MESSAGE_CONTENT_REQUIRED', 'Give the text in textMessage.text.');
  }
  if (request.ttl != null && request.validUntil != null) {
    throw badRequest('CONFLICTING_FIELDS', 'Give ttl or validUntil, not both.');
  }
  if (request.scheduleAt != null && Date.parse(request.scheduleAt) <= now) {
    throw badRequest('INVALID_SCHEDULE', 'scheduleAt must be in the future.');
  }
  const expiresAt =
    request.ttl != null
      ? new Date(now + request.ttl * 1000).toISOString()
      : (request.validUntil ?? undefined);
  return {
    externalId: request.id ?? undefined,
    recipients: request.phoneNumbers,
    body,
    deviceId: request.deviceId ?? undefined,
    simNumber: request.simNumber ?? undefined,
    scheduledAt: request.scheduleAt ?? undefined,
    expiresAt,
    // A retry repeats this; `ttl` is relative, so the moment it ends is not what it repeats.
    asWritten: request,
  };
}

/**
 * The accept path's refusals as the client API answers them: the app's server says 400 for a
 * request it cannot take, and 409 for an id already used.
 */
export function asClientApiError(error: unknown): unknown {
  if (!(error instanceof AppException) || error.status !== HttpStatus.UNPROCESSABLE_ENTITY) {
    return error;
  }
  if (error.code === 'IDEMPOTENCY_KEY_REUSED') {
    return new AppException(
      HttpStatus.CONFLICT,
      'MESSAGE_ID_TAKEN',
      'This id was already given to a request with other content.',
    );
  }
  return new AppException(HttpStatus.BAD_REQUEST, error.code, error.detail, {
    errors: error.errors?.map((fieldError) => ({
      ...fieldError,
      field: fieldError.field.replace(/^messages\[(\d+)\]\.to$/, 'phoneNumbers[$1]'),
    })),
    extensions: error.extensions,
  });
}

const latest = (dates: Array<string | null>): string | undefined =>
  dates.reduce<string | undefined>(
    (last, date) => (date !== null && (last === undefined || date > last) ? date : last),
    undefined,
  );

function errorOf(message: MessageView): string {
  return message.errorMessage ?? message.errorCode ?? message.status;
}

/** A request as the client API shows it: its overall state and each recipient's. */
export function messageStateOf(
  request: ExternalRequest,
  options: { withContent?: boolean } = {},
): ClientMessageStateDto {
  const state = STATE_OF_PROGRESS[request.progress];
  const { messages } = request;
  const states: Partial<Record<ProcessState, string>> = {};
  const created = messages.map((message) => message.createdAt).sort()[0];
  if (created) states[ProcessState.Pending] = created;
  const sent = latest(messages.map((message) => message.sentAt));
  if (sent && (state === ProcessState.Sent || state === ProcessState.Delivered)) {
    states[ProcessState.Sent] = sent;
  }
  const delivered = latest(messages.map((message) => message.deliveredAt));
  if (delivered && state === ProcessState.Delivered) states[ProcessState.Delivered] = delivered;
  if (state === ProcessState.Failed) {
    states[ProcessState.Failed] =
      latest(messages.map((message) => message.failedAt)) ??
      latest(messages.map((message) => message.updatedAt));
  }
  return {
    id: request.id,
    deviceId: messages.find((message) => message.deviceId !== null)?.deviceId ?? null,
    state,
    isHashed: false,
    isEncrypted: false,
    recipients: messages.map((message) => {
      const recipientState = STATE_OF_PROGRESS[PROGRESS_OF_STATUS[message.status]];
      return recipientState === ProcessState.Failed
        ? { phoneNumber: message.to, state: recipientState, error: errorOf(message) }
        : { phoneNumber: message.to, state: recipientState };
    }),
    states,
    ...(options.withContent && messages[0] ? { textMessage: { text: messages[0].body } } : {}),
  };
}
