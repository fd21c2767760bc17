import { Link } from 'react-router';
import { peerOf, when, type MessageView } from './format';
import { StatusBadge } from './messages-layout';

/** Messages as rows linking to their detail: direction, other party, status, text, time. */
export function MessageRows({ messages, label }: { messages: MessageView[]; label: string }) {
  return (
    <ul className="messages" aria-label={label}>
      {messages.map((message) => (
        <li key={message.id}>
          <Link to={`/messages/${message.id}`} className="message-row">
            <span className="message-peer">
              <span className="direction" aria-label={message.direction}>
                {message.direction === 'outbound' ? '→' : '←'}
              </span>{' '}
              {peerOf(message)}
            </span>
            <StatusBadge status={message.status} />
            <span className="message-body">{message.body}</span>
            {message.scheduledAt ? (
              <span className="muted message-time">
                for <time dateTime={message.scheduledAt}>{when(message.scheduledAt)}</time>
              </span>
            ) : (
              <time className="muted message-time" dateTime={message.createdAt}>
                {when(message.createdAt)}
              </time>
            )}
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** The next page of an infinite query, on demand (shown only while there is one). */
export function LoadMoreButton({
  query,
}: {
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
}) {
  if (!query.hasNextPage) return null;
  return (
    <button
      type="button"
      className="load-more"
      onClick={() => void query.fetchNextPage()}
      disabled={query.isFetchingNextPage}
    >
      {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
    </button>
  );
}
