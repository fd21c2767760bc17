import { useId } from 'react';
import type { components } from '../../api/schema';

export type WebhookEvent = components['schemas']['CreateWebhookDto']['events'][number];

/** Every event an endpoint can subscribe to, with what it means. */
const EVENTS: Record<WebhookEvent, string> = {
  'message.received': 'an SMS arrived',
  'message.sent': 'an SMS left',
  'message.delivered': 'the carrier delivered it',
  'message.failed': 'sending failed',
  'message.undelivered': 'the carrier could not deliver it',
  'message.expired': 'it expired before it was sent',
  'message.canceled': 'it was canceled',
  'device.online': 'a phone came online',
  'device.offline': 'a phone went offline',
  'device.low_battery': 'a phone’s battery is low',
  'webhook.test': 'the Test button',
  'webhook.disabled': 'Switchboard disabled one of your endpoints',
};

export const WEBHOOK_EVENTS = Object.keys(EVENTS) as WebhookEvent[];

/** The events of an endpoint, as checkboxes. */
export function EventPicker({
  value,
  onChange,
  error,
}: {
  value: WebhookEvent[];
  onChange: (events: WebhookEvent[]) => void;
  error?: string;
}) {
  const errorId = useId();
  const toggle = (event: WebhookEvent, on: boolean) =>
    onChange(on ? [...value, event] : value.filter((item) => item !== event));
  return (
    <fieldset aria-describedby={error ? errorId : undefined}>
      <legend>Events</legend>
      <div className="checks">
        {WEBHOOK_EVENTS.map((event) => (
          <label key={event} title={EVENTS[event]}>
            <input
              type="checkbox"
              name="events"
              value={event}
              checked={value.includes(event)}
              onChange={(change) => toggle(event, change.target.checked)}
            />
            <span>
              <code>{event}</code>
            </span>
          </label>
        ))}
      </div>
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </fieldset>
  );
}
