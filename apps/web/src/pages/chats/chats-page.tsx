import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, NavLink, Outlet, useNavigate, useParams } from 'react-router';
import { api } from '../../api/client';
import { queryKeys } from '../../api/query-keys';
import { ErrorMessage, Field } from '../../components/form';
import { E164, compactPhone, shortTime, statusText, textOf, threadPath } from './chat-format';
import { ContactsPanel } from './contacts-panel';
import './chats.css';

/** Enough threads for a person's chat list; older ones come with "Show more". */
const PAGE_SIZE = 50;

export function useConversations(limit = PAGE_SIZE) {
  return useQuery({
    queryKey: [...queryKeys.conversationList, limit],
    queryFn: async () =>
      (await api.GET('/api/v1/conversations', { params: { query: { limit } } })).data!,
  });
}

/**
 * Chats: the threads (contact name or number, last text, unread count) and, beside them on a
 * wide screen or instead of them on a phone, the open thread. Contacts and "new chat" live under
 * the list. Live: message events refresh the list (live-cache.ts).
 */
export function ChatsPage() {
  const { peer } = useParams();
  return (
    <div className={`chats ${peer ? 'chats-thread-open' : ''}`}>
      <section className="chats-side" aria-labelledby="chats-heading">
        <h1 id="chats-heading">Chats</h1>
        <ConversationList />
        <NewChat />
        <ContactsPanel />
      </section>
      <section className="chats-main">
        <Outlet />
      </section>
    </div>
  );
}

function ConversationList() {
  const [limit, setLimit] = useState(PAGE_SIZE);
  const conversations = useConversations(limit);
  const threads = conversations.data?.data ?? [];
  return (
    <>
      <ErrorMessage error={conversations.error} />
      {conversations.isPending && <p className="muted">Loading…</p>}
      {conversations.isSuccess && threads.length === 0 && (
        <p className="muted">No conversations yet. Start one below, or text a contact.</p>
      )}
      {threads.length > 0 && (
        <ul className="threads" aria-label="Conversations">
          {threads.map((thread) => {
            const name = textOf(thread.contactName) ?? thread.peer;
            const last = thread.lastMessage;
            return (
              <li key={thread.peer}>
                <NavLink to={threadPath(thread.peer)} className="thread-link">
                  <span className="thread-name">{name}</span>
                  <time className="muted thread-time" dateTime={thread.lastActivityAt}>
                    {shortTime(thread.lastActivityAt)}
                  </time>
                  <span className="muted thread-last">
                    {last.direction === 'sent' ? `You: ` : ''}
                    {last.body}
                    {last.direction === 'sent' && ` · ${statusText(last.status)}`}
                  </span>
                  {thread.unreadCount > 0 && (
                    <span className="badge thread-unread">
                      {thread.unreadCount}
                      <span className="visually-hidden"> unread</span>
                    </span>
                  )}
                </NavLink>
              </li>
            );
          })}
        </ul>
      )}
      {conversations.data?.nextCursor && limit < 100 && (
        <button type="button" className="link" onClick={() => setLimit(100)}>
          Show more conversations
        </button>
      )}
    </>
  );
}

/** Starts a chat with any number: opens its (empty) thread; the first text creates it. */
function NewChat() {
  const navigate = useNavigate();
  const [phone, setPhone] = useState('');
  const [error, setError] = useState<string>();
  const start = (event: FormEvent) => {
    event.preventDefault();
    const number = compactPhone(phone);
    if (!E164.test(number)) {
      setError('Use the international format with the country code, e.g. +14155550123.');
      return;
    }
    setError(undefined);
    setPhone('');
    void navigate(threadPath(number));
  };
  return (
    <details className="panel">
      <summary>New chat</summary>
      <form onSubmit={start} noValidate>
        <Field
          label="Phone number to text"
          type="tel"
          autoComplete="tel"
          placeholder="+14155550123"
          value={phone}
          error={error}
          onChange={(event) => setPhone(event.target.value)}
        />
        <button type="submit" className="primary">
          Start chat
        </button>
      </form>
    </details>
  );
}

/** What the main column shows on a wide screen before a thread is chosen. */
export function NoThread() {
  return (
    <div className="no-thread muted">
      <p>Choose a conversation, or start a new chat.</p>
      <p>
        Texts sent through the API show up here too. <Link to="/messages">All messages</Link>
      </p>
    </div>
  );
}
