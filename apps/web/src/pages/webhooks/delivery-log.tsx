import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import { ErrorMessage, Field, fieldError } from '../../components/form';
import { dateTime } from '../../components/time';

type Endpoint = components['schemas']['WebhookEndpointView'];
type Delivery = components['schemas']['WebhookDeliveryView'];

// Deliveries have no live event; while one is still pending its log is asked again this often
// (and not at all once every delivery has settled).
const PENDING_REFRESH_MS = 1000;

/** An endpoint's deliveries, newest first, with every attempt; retry one, replay a window. */
export function DeliveryLog({
  endpoint,
  highlight,
}: {
  endpoint: Endpoint;
  highlight: string | null;
}) {
  const deliveries = useQuery({
    queryKey: [...queryKeys.webhooks, endpoint.id, 'deliveries'],
    queryFn: async () =>
      (
        await api.GET('/api/v1/webhooks/{id}/deliveries', {
          params: { path: { id: endpoint.id }, query: { limit: 50 } },
        })
      ).data!,
    refetchInterval: (query) =>
      query.state.data?.data?.some((delivery) => delivery.status === 'pending')
        ? PENDING_REFRESH_MS
        : false,
  });
  const list = deliveries.data?.data ?? [];
  const tested = highlight ? list.find((delivery) => delivery.id === highlight) : undefined;

  return (
    <section className="delivery-log" aria-label={`Delivery log of ${endpoint.url}`}>
      {highlight && (
        <p className="test-result" role="status">
          {!tested || tested.status === 'pending'
            ? 'Test sent; waiting for the endpoint’s answer…'
            : `Test ${tested.status === 'succeeded' ? 'delivered' : 'failed'}: ${attemptText(
                tested.attempts[tested.attempts.length - 1],
              )}`}
        </p>
      )}
      <h4>Delivery log</h4>
      <ErrorMessage error={deliveries.error} />
      {deliveries.isPending && <p className="muted">Loading…</p>}
      {deliveries.data && list.length === 0 && (
        <p className="muted">Nothing delivered yet. Send a test, or wait for an event.</p>
      )}
      {list.length > 0 && (
        <ul className="deliveries">
          {list.map((delivery) => (
            <DeliveryItem
              key={delivery.id}
              endpoint={endpoint}
              delivery={delivery}
              highlighted={delivery.id === highlight}
            />
          ))}
        </ul>
      )}
      <Replay endpoint={endpoint} />
    </section>
  );
}

function attemptText(attempt: Delivery['attempts'][number] | undefined): string {
  if (!attempt) return 'no attempt yet';
  const answer = attempt.statusCode === null ? 'no answer' : `HTTP ${attempt.statusCode}`;
  return `${answer} in ${attempt.latencyMs} ms${attempt.error ? ` (${attempt.error})` : ''}`;
}

function DeliveryItem({
  endpoint,
  delivery,
  highlighted,
}: {
  endpoint: Endpoint;
  delivery: Delivery;
  highlighted: boolean;
}) {
  const queryClient = useQueryClient();
  const retry = useMutation({
    mutationFn: async () =>
      api.POST('/api/v1/webhooks/{id}/deliveries/{deliveryId}/retry', {
        params: { path: { id: endpoint.id, deliveryId: delivery.id } },
      }),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: [...queryKeys.webhooks, endpoint.id] }),
  });
  return (
    <li className={highlighted ? 'delivery highlighted' : 'delivery'}>
      <div className="delivery-head">
        <code>{delivery.eventType}</code>
        <span className={`pill pill-${delivery.status === 'succeeded' ? 'ok' : delivery.status}`}>
          {delivery.status}
        </span>
        <span className="muted">{dateTime(delivery.createdAt)}</span>
        {delivery.status !== 'pending' && (
          <button
            type="button"
            className="small"
            onClick={() => retry.mutate()}
            disabled={retry.isPending || !endpoint.enabled}
          >
            Retry
          </button>
        )}
      </div>
      {delivery.nextAttemptAt && delivery.status === 'pending' && (
        <p className="hint">Next attempt {dateTime(delivery.nextAttemptAt)}</p>
      )}
      {delivery.attempts.length > 0 && (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">Attempts of this delivery</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Status code</th>
                <th scope="col">Took</th>
                <th scope="col">Error or answer</th>
              </tr>
            </thead>
            <tbody>
              {delivery.attempts.map((attempt, index) => (
                <tr key={attempt.attemptedAt + index}>
                  <td>{dateTime(attempt.attemptedAt)}</td>
                  <td>{attempt.statusCode ?? 'no answer'}</td>
                  <td>{attempt.latencyMs} ms</td>
                  <td className="attempt-detail">{attempt.error ?? attempt.responseBody ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorMessage error={retry.error} />
    </li>
  );
}

/** `datetime-local` value of a time, in the reader's zone. */
function localInput(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

function Replay({ endpoint }: { endpoint: Endpoint }) {
  const queryClient = useQueryClient();
  const [since, setSince] = useState(() => localInput(new Date(Date.now() - 3600_000)));
  const [until, setUntil] = useState('');
  const replay = useMutation({
    mutationFn: async () => {
      const { data } = await api.POST('/api/v1/webhooks/{id}/replay', {
        params: { path: { id: endpoint.id } },
        body: {
          since: new Date(since).toISOString(),
          ...(until ? { until: new Date(until).toISOString() } : {}),
        },
      });
      return (data as { deliveries?: number } | undefined)?.deliveries ?? 0;
    },
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: [...queryKeys.webhooks, endpoint.id] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    replay.mutate();
  };
  return (
    <form className="replay" onSubmit={submit} noValidate>
      <h4>Replay events</h4>
      <p className="hint">
        Sends again every event of a time window that this endpoint subscribes to (each keeps its
        event id, so your receiver can tell it saw one).
      </p>
      <div className="replay-fields">
        <Field
          label="Since"
          type="datetime-local"
          name="since"
          required
          value={since}
          onChange={(event) => setSince(event.target.value)}
          error={fieldError(replay.error, 'since')}
        />
        <Field
          label="Until (optional)"
          type="datetime-local"
          name="until"
          value={until}
          onChange={(event) => setUntil(event.target.value)}
          error={fieldError(replay.error, 'until')}
        />
      </div>
      <ErrorMessage error={replay.error} />
      {replay.isSuccess && (
        <p role="status">
          {replay.data === 0
            ? 'No events in that window.'
            : `${replay.data} deliver${replay.data === 1 ? 'y' : 'ies'} queued.`}
        </p>
      )}
      <button type="submit" disabled={replay.isPending || !endpoint.enabled}>
        Replay
      </button>
    </form>
  );
}
