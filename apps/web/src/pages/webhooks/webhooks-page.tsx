import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import { ShownOnce } from '../../components/copy-button';
import { ErrorMessage, Field, fieldError } from '../../components/form';
import { EndpointCard } from './endpoint-card';
import { EventPicker, type WebhookEvent } from './event-picker';
import '../console.css';
import './webhooks.css';

type CreatedWebhook = components['schemas']['CreatedWebhookView'];

/** Webhook endpoints: create (the secret shown once), and each endpoint's card. */
export function WebhooksPage() {
  const queryClient = useQueryClient();
  const endpoints = useQuery({
    queryKey: queryKeys.webhooks,
    queryFn: async () =>
      (await api.GET('/api/v1/webhooks', { params: { query: { limit: 100 } } })).data!,
  });

  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(['message.received']);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const create = useMutation({
    mutationFn: async () =>
      (
        await api.POST('/api/v1/webhooks', {
          body: {
            url: url.trim(),
            events,
            ...(description.trim() ? { description: description.trim() } : {}),
          },
        })
      ).data!,
    onSuccess: (endpoint) => {
      setCreated(endpoint);
      setUrl('');
      setDescription('');
      void queryClient.invalidateQueries({ queryKey: queryKeys.webhooks });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  const list = endpoints.data?.data ?? [];
  return (
    <div className="console">
      <h1>Webhooks</h1>
      <p className="muted">
        Switchboard POSTs the events you choose to your endpoints, signed per Standard Webhooks with
        the endpoint’s secret.
      </p>

      {created ? (
        <section className="panel" aria-labelledby="created-webhook">
          <h2 id="created-webhook">Endpoint created</h2>
          <p className="muted">{created.url}</p>
          <ShownOnce label="Signing secret" value={created.secret} onDone={() => setCreated(null)}>
            <p className="hint">
              Verify each request’s <code>webhook-signature</code> with it (any Standard Webhooks
              library does).
            </p>
          </ShownOnce>
        </section>
      ) : (
        <form className="panel" onSubmit={submit} noValidate>
          <h2>Add an endpoint</h2>
          <Field
            label="Endpoint URL"
            type="url"
            name="url"
            required
            placeholder="https://example.com/switchboard/webhooks"
            value={url}
            onChange={(event) => setUrl(event.target.value)}
            error={fieldError(create.error, 'url')}
          />
          <Field
            label="Description (optional)"
            name="description"
            maxLength={500}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
            error={fieldError(create.error, 'description')}
          />
          <EventPicker
            value={events}
            onChange={setEvents}
            error={fieldError(create.error, 'events')}
          />
          <ErrorMessage error={create.error} />
          <button className="primary" type="submit" disabled={create.isPending}>
            Add endpoint
          </button>
        </form>
      )}

      <h2 className="section-title">Your endpoints</h2>
      <ErrorMessage error={endpoints.error} />
      {endpoints.isPending && <p className="muted">Loading…</p>}
      {endpoints.data && list.length === 0 && <p className="muted">No endpoints yet.</p>}
      <ul className="endpoints" aria-label="Endpoints">
        {list.map((endpoint) => (
          <EndpointCard key={endpoint.id} endpoint={endpoint} />
        ))}
      </ul>
    </div>
  );
}
