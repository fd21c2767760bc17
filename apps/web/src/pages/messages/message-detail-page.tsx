import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client';
import { queryKeys } from '../../api/query-keys';
import { ErrorMessage } from '../../components/form';
import { CANCELABLE, when, type MessageView } from './format';
import { StatusBadge } from './messages-layout';

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="detail-row">
      <dt>{term}</dt>
      <dd>{children ?? '—'}</dd>
    </div>
  );
}

function Moment({ iso }: { iso: string | null | undefined }) {
  return iso ? <time dateTime={iso}>{when(iso)}</time> : <>—</>;
}

/** One message: every field and timestamp the API has, its error, and cancel while it can. */
export function MessageDetailPage() {
  const { id = '' } = useParams();
  const queryClient = useQueryClient();
  const message = useQuery({
    queryKey: queryKeys.message(id),
    queryFn: async () =>
      (await api.GET('/api/v1/messages/{id}', { params: { path: { id } } })).data!,
  });
  const cancel = useMutation({
    mutationFn: async () =>
      (await api.POST('/api/v1/messages/{id}/cancel', { params: { path: { id } } })).data!,
    onSuccess: (canceled: MessageView) => {
      queryClient.setQueryData(queryKeys.message(id), canceled);
      void queryClient.invalidateQueries({ queryKey: queryKeys.messages });
    },
  });

  const view = message.data;
  return (
    <>
      <h1>Message</h1>
      <p>
        <Link to="/messages">← All messages</Link>
      </p>
      <ErrorMessage error={message.error} />
      {message.isPending && <p className="muted">Loading…</p>}
      {view && (
        <article className="detail" aria-label="Message details">
          <div className="detail-head">
            <StatusBadge status={view.status} />
            {CANCELABLE.includes(view.status) && (
              <button
                type="button"
                onClick={() => cancel.mutate()}
                disabled={cancel.isPending}
                className="danger"
              >
                {cancel.isPending ? 'Canceling…' : 'Cancel this message'}
              </button>
            )}
          </div>
          <ErrorMessage error={cancel.error} />
          <p className="detail-body">{view.body}</p>
          {(view.errorCode || view.errorMessage) && (
            <p className="alert" role="status">
              Error {view.errorCode ?? ''}
              {view.errorMessage ? `: ${view.errorMessage}` : ''}
            </p>
          )}
          <h2>Details</h2>
          <dl className="details">
            <Row term="Direction">{view.direction}</Row>
            <Row term="From">{view.from}</Row>
            <Row term="To">{view.to}</Row>
            <Row term="Encoding">
              {view.encoding}, {view.segments} segment{view.segments === 1 ? '' : 's'}
            </Row>
            <Row term="Route asked for">{view.routeRequested}</Row>
            <Row term="Route taken">{view.route}</Row>
            <Row term="Phone">{view.deviceId}</Row>
            <Row term="SIM">{view.simNumber}</Row>
            <Row term="Attempts">{view.attempts}</Row>
            <Row term="Provider id">{view.providerMessageId}</Row>
            <Row term="Error code">{view.errorCode}</Row>
            <Row term="Error message">{view.errorMessage}</Row>
            <Row term="Session">
              {view.sessionId ? (
                <Link to={`/sessions/${encodeURIComponent(view.sessionId)}`}>{view.sessionId}</Link>
              ) : null}
            </Row>
            <Row term="External id">{view.externalId}</Row>
            <Row term="Id">{view.id}</Row>
          </dl>
          <h2>Timestamps</h2>
          <dl className="details" aria-label="Timestamps">
            <Row term="Created">
              <Moment iso={view.createdAt} />
            </Row>
            <Row term="Scheduled for">
              <Moment iso={view.scheduledAt} />
            </Row>
            <Row term="Expires">
              <Moment iso={view.expiresAt} />
            </Row>
            <Row term="Handed over">
              <Moment iso={view.sendingAt} />
            </Row>
            <Row term="Sent">
              <Moment iso={view.sentAt} />
            </Row>
            <Row term="Delivered">
              <Moment iso={view.deliveredAt} />
            </Row>
            <Row term="Failed">
              <Moment iso={view.failedAt} />
            </Row>
            <Row term="Canceled">
              <Moment iso={view.canceledAt} />
            </Row>
            <Row term="Expired">
              <Moment iso={view.expiredAt} />
            </Row>
            <Row term="Last change">
              <Moment iso={view.updatedAt} />
            </Row>
          </dl>
        </article>
      )}
    </>
  );
}
