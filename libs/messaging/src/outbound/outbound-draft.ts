import { MessageDraft } from '../model/message.repository';
import { MessageStatus, RequestedRoute } from '../model/message-status';
import { measureSms } from '../model/sms-encoding';

/**
 * A queued outbound message to `to`, measured (encoding, segments), with every other field at its
 * default unless `details` says otherwise: what the API, system messages and automatic messages all store.
 */
export function outboundDraft(
  accountId: string | null,
  to: string,
  body: string,
  details: Partial<MessageDraft> = {},
): MessageDraft {
  const { encoding, segments } = measureSms(body);
  return {
    accountId,
    direction: 'outbound',
    fromNumber: null,
    toNumber: to,
    peer: to,
    body,
    encoding,
    segments,
    status: MessageStatus.Queued,
    routeRequested: RequestedRoute.Auto,
    requestedDeviceId: null,
    sensitive: false,
    sessionId: null,
    scheduledAt: null,
    expiresAt: null,
    ...details,
  };
}
