import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import { ShownOnce } from '../../components/copy-button';
import { ConfirmStep } from '../../components/confirm-step';
import { ErrorMessage, Field, fieldError } from '../../components/form';
import { dateTime } from '../../components/time';
import { DeliveryLog } from './delivery-log';
import { EventPicker, type WebhookEvent } from './event-picker';

type Endpoint = components['schemas']['WebhookEndpointView'];
type Rotated = components['schemas']['RotatedSecretView'];
type Panel = 'none' | 'edit' | 'log' | 'delete';

const DISABLED_REASON: Record<string, string> = {
  by_account: 'disabled by you',
  gone: 'disabled: it answered 410 Gone',
  failing: 'disabled: every delivery failed for days',
};

/** One endpoint: its state, test, edit, enable/disable, rotate the secret, delete, its log. */
export function EndpointCard({ endpoint }: { endpoint: Endpoint }) {
  const queryClient = useQueryClient();
  const [panel, setPanel] = useState<Panel>('none');
  const [rotated, setRotated] = useState<Rotated | null>(null);
  const [testDeliveryId, setTestDeliveryId] = useState<string | null>(null);
  const path = { params: { path: { id: endpoint.id } } };
  const changed = () => queryClient.invalidateQueries({ queryKey: queryKeys.webhooks });

  const toggle = useMutation({
    mutationFn: async () =>
      (await api.PATCH('/api/v1/webhooks/{id}', { ...path, body: { enabled: !endpoint.enabled } }))
        .data!,
    onSuccess: changed,
  });
  const rotate = useMutation({
    mutationFn: async () => (await api.POST('/api/v1/webhooks/{id}/rotate-secret', path)).data!,
    onSuccess: (answer) => {
      setRotated(answer);
      void changed();
    },
  });
  const test = useMutation({
    mutationFn: async () => {
      const { data } = await api.POST('/api/v1/webhooks/{id}/test', path);
      return (data as { deliveryId?: string } | undefined)?.deliveryId ?? null;
    },
    onSuccess: (deliveryId) => {
      setTestDeliveryId(deliveryId);
      setPanel('log');
      void queryClient.invalidateQueries({ queryKey: [...queryKeys.webhooks, endpoint.id] });
    },
  });
  const remove = useMutation({
    mutationFn: async () => api.DELETE('/api/v1/webhooks/{id}', path),
    onSuccess: changed,
  });

  const titleId = `endpoint-${endpoint.id}`;
  const show = (next: Panel) => setPanel((current) => (current === next ? 'none' : next));
  return (
    <li className="endpoint" aria-labelledby={titleId}>
      <div className="endpoint-head">
        <h3 id={titleId} className="endpoint-url">
          {endpoint.url}
        </h3>
        <span className={`pill ${endpoint.enabled ? 'pill-ok' : 'pill-bad'}`}>
          {endpoint.enabled ? 'Enabled' : 'Disabled'}
        </span>
      </div>
      {endpoint.description && <p className="muted endpoint-description">{endpoint.description}</p>}
      <p className="endpoint-events">
        {endpoint.events.map((event) => (
          <code key={event}>{event}</code>
        ))}
      </p>
      {!endpoint.enabled && endpoint.disabledReason && (
        <p className="alert">
          {DISABLED_REASON[endpoint.disabledReason] ?? endpoint.disabledReason}, since{' '}
          {dateTime(endpoint.disabledAt)}.
        </p>
      )}
      {endpoint.enabled && endpoint.failingSince && (
        <p className="alert">Every delivery has failed since {dateTime(endpoint.failingSince)}.</p>
      )}
      {endpoint.previousSecretExpiresAt && (
        <p className="hint">
          The previous secret also signs until {dateTime(endpoint.previousSecretExpiresAt)}.
        </p>
      )}

      <div className="actions">
        <button
          type="button"
          onClick={() => test.mutate()}
          disabled={test.isPending || !endpoint.enabled}
        >
          Send test
        </button>
        <button type="button" aria-expanded={panel === 'log'} onClick={() => show('log')}>
          Delivery log
        </button>
        <button type="button" aria-expanded={panel === 'edit'} onClick={() => show('edit')}>
          Edit
        </button>
        <button type="button" onClick={() => toggle.mutate()} disabled={toggle.isPending}>
          {endpoint.enabled ? 'Disable' : 'Enable'}
        </button>
        <button type="button" onClick={() => rotate.mutate()} disabled={rotate.isPending}>
          Rotate secret
        </button>
        <button type="button" className="danger" onClick={() => show('delete')}>
          Delete…
        </button>
      </div>
      <ErrorMessage error={test.error ?? toggle.error ?? rotate.error} />

      {rotated && (
        <div className="rotated">
          <ShownOnce
            label="New signing secret"
            value={rotated.secret}
            onDone={() => setRotated(null)}
          >
            <p className="hint">
              The previous secret signs alongside it until{' '}
              {dateTime(rotated.previousSecretExpiresAt)}: switch your receiver over before then.
            </p>
          </ShownOnce>
        </div>
      )}

      {panel === 'edit' && <EditEndpoint endpoint={endpoint} onDone={() => setPanel('none')} />}
      {panel === 'log' && <DeliveryLog endpoint={endpoint} highlight={testDeliveryId} />}
      {panel === 'delete' && (
        <ConfirmStep
          label={`Delete ${endpoint.url}`}
          action="Delete endpoint"
          onConfirm={() => remove.mutate()}
          onCancel={() => setPanel('none')}
          pending={remove.isPending}
          error={remove.error}
        >
          Delete this endpoint and its delivery log? It gets no more events.
        </ConfirmStep>
      )}
    </li>
  );
}

function EditEndpoint({ endpoint, onDone }: { endpoint: Endpoint; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [url, setUrl] = useState(endpoint.url);
  const [description, setDescription] = useState(endpoint.description ?? '');
  const [events, setEvents] = useState<WebhookEvent[]>(endpoint.events);
  const save = useMutation({
    mutationFn: async () =>
      (
        await api.PATCH('/api/v1/webhooks/{id}', {
          params: { path: { id: endpoint.id } },
          body: { url: url.trim(), description: description.trim(), events },
        })
      ).data!,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.webhooks });
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form className="edit-endpoint" onSubmit={submit} noValidate>
      <Field
        label="Endpoint URL"
        type="url"
        name="url"
        required
        value={url}
        onChange={(event) => setUrl(event.target.value)}
        error={fieldError(save.error, 'url')}
      />
      <Field
        label="Description"
        name="description"
        maxLength={500}
        value={description}
        onChange={(event) => setDescription(event.target.value)}
        error={fieldError(save.error, 'description')}
      />
      <EventPicker value={events} onChange={setEvents} error={fieldError(save.error, 'events')} />
      <ErrorMessage error={save.error} />
      <div className="actions">
        <button type="submit" className="primary-inline" disabled={save.isPending}>
          Save changes
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
