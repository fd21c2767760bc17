import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useParams } from 'react-router';
import { api } from '../../api/client';
import { queryKeys } from '../../api/query-keys';
import { ErrorMessage } from '../../components/form';
import { when } from '../messages/format';
import { LoadMoreButton, MessageRows } from '../messages/message-rows';
import '../messages/messages.css';

const PAGE_SIZE = 50;
// Under `sessions`, which message events invalidate (live-cache.ts).
const sessionKeys = {
  list: [...queryKeys.sessions, 'list'] as const,
  one: (id: string) => [...queryKeys.sessions, 'detail', id] as const,
  messages: (id: string) => [...queryKeys.sessions, 'messages', id] as const,
};

export function SessionsLayout() {
  return <Outlet />;
}

/** Chat sessions, most recently active first, with "load more". */
export function SessionListPage() {
  const list = useInfiniteQuery({
    queryKey: sessionKeys.list,
    queryFn: async ({ pageParam }) =>
      (
        await api.GET('/api/v1/sessions', {
          params: { query: { limit: PAGE_SIZE, cursor: pageParam } },
        })
      ).data!,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const sessions = list.data?.pages.flatMap((page) => page.data ?? []) ?? [];
  return (
    <>
      <h1>Sessions</h1>
      <p className="muted">
        Chat sessions group the messages sent with the same <code>sessionId</code>.
      </p>
      <ErrorMessage error={list.error} />
      {list.isPending && <p className="muted">Loading…</p>}
      {list.isSuccess && sessions.length === 0 && (
        <p className="muted">No sessions yet: send a message with a sessionId to start one.</p>
      )}
      {sessions.length > 0 && (
        <ul className="messages" aria-label="Sessions">
          {sessions.map((session) => (
            <li key={session.id}>
              <Link to={`/sessions/${encodeURIComponent(session.id)}`} className="message-row">
                <span className="message-peer">{session.id}</span>
                <span className={`status status-${session.closed ? 'closed' : 'open'}`}>
                  {session.closed ? 'closed' : 'open'}
                </span>
                <span className="message-body">
                  {session.messageCount} message{session.messageCount === 1 ? '' : 's'}
                </span>
                <span className="muted message-time">
                  active{' '}
                  <time dateTime={session.lastActivityAt}>{when(session.lastActivityAt)}</time>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <LoadMoreButton query={list} />
    </>
  );
}

/** One session: its facts, its messages (both directions, newest first), and closing it. */
export function SessionDetailPage() {
  const { id = '' } = useParams();
  const queryClient = useQueryClient();
  const session = useQuery({
    queryKey: sessionKeys.one(id),
    queryFn: async () =>
      (await api.GET('/api/v1/sessions/{id}', { params: { path: { id } } })).data!,
  });
  const messages = useInfiniteQuery({
    queryKey: sessionKeys.messages(id),
    queryFn: async ({ pageParam }) =>
      (
        await api.GET('/api/v1/sessions/{id}/messages', {
          params: { path: { id }, query: { limit: PAGE_SIZE, cursor: pageParam } },
        })
      ).data!,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const close = useMutation({
    mutationFn: async () =>
      (await api.POST('/api/v1/sessions/{id}/close', { params: { path: { id } } })).data!,
    onSuccess: (closed) => {
      queryClient.setQueryData(sessionKeys.one(id), closed);
      void queryClient.invalidateQueries({ queryKey: sessionKeys.list });
    },
  });
  const view = session.data;
  const list = messages.data?.pages.flatMap((page) => page.data ?? []) ?? [];
  return (
    <>
      <h1>Session {id}</h1>
      <p>
        <Link to="/sessions">← All sessions</Link>
      </p>
      <ErrorMessage error={session.error} />
      {view && (
        <>
          <dl className="details">
            <div className="detail-row">
              <dt>State</dt>
              <dd>{view.closed ? `closed ${when(view.closedAt)}` : 'open'}</dd>
            </div>
            <div className="detail-row">
              <dt>Messages</dt>
              <dd>{view.messageCount}</dd>
            </div>
            <div className="detail-row">
              <dt>Started</dt>
              <dd>
                <time dateTime={view.createdAt}>{when(view.createdAt)}</time>
              </dd>
            </div>
            <div className="detail-row">
              <dt>Last activity</dt>
              <dd>
                <time dateTime={view.lastActivityAt}>{when(view.lastActivityAt)}</time>
              </dd>
            </div>
          </dl>
          {!view.closed && (
            <p>
              <button type="button" onClick={() => close.mutate()} disabled={close.isPending}>
                Close this session
              </button>
            </p>
          )}
          <ErrorMessage error={close.error} />
        </>
      )}
      <h2>Messages</h2>
      <ErrorMessage error={messages.error} />
      {messages.isSuccess && list.length === 0 && <p className="muted">No messages.</p>}
      {list.length > 0 && <MessageRows messages={list} label="Messages of the session" />}
      <LoadMoreButton query={messages} />
    </>
  );
}
