import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { ErrorMessage } from '../components/form';

/** Conversations with unread counts; live through live-cache.ts (message events). */
export function ChatsPage() {
  const conversations = useQuery({
    queryKey: queryKeys.conversationList,
    queryFn: async () => (await api.GET('/api/v1/conversations')).data!,
  });
  return (
    <>
      <h1>Chats</h1>
      <ErrorMessage error={conversations.error} />
      {conversations.isPending && <p className="muted">Loading…</p>}
      {conversations.data?.data?.length === 0 && (
        <p className="muted">No conversations yet. Texts you send and receive show up here.</p>
      )}
      {!!conversations.data?.data?.length && (
        <ul className="list">
          {conversations.data.data.map((conversation) => (
            <li key={conversation.peer}>
              <span className="list-title">
                {typeof conversation.contactName === 'string'
                  ? conversation.contactName
                  : conversation.peer}
              </span>
              {conversation.unreadCount > 0 && (
                <span className="badge" aria-label={`${conversation.unreadCount} unread`}>
                  {conversation.unreadCount}
                </span>
              )}
              <span className="muted list-sub">{conversation.lastMessage.body}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
