import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client';
import { ApiError } from '../../api/problem';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import { ErrorMessage } from '../../components/form';
import {
  FAILED_STATUSES,
  failureText,
  fullTime,
  shortTime,
  statusText,
  textOf,
} from './chat-format';
import { useConversations } from './chats-page';
import { AddContact, useContacts } from './contacts-panel';
import { SendBox } from './send-box';

type ThreadMessage = components['schemas']['ConversationMessageView'];

const THREAD_PAGE = 50;

/**
 * One conversation: bubbles oldest to newest, each sent one with its status. Live: message
 * events refetch the thread (live-cache.ts invalidates every conversations query), so a reply
 * appears and a status moves from queued to delivered without a reload. Opening the thread, and
 * any text received while it is open, marks it read.
 */
export function Thread() {
  const peer = decodeURIComponent(useParams().peer ?? '');
  const queryClient = useQueryClient();
  const conversations = useConversations();
  const summary = conversations.data?.data?.find((thread) => thread.peer === peer);
  // A number with no messages yet is a chat about to start: the API answers 404 for it, so ask
  // only for threads that exist (or might, past the first page of the list).
  const mayExist = !!summary || !!conversations.data?.nextCursor;

  const thread = useInfiniteQuery({
    queryKey: queryKeys.thread(peer),
    enabled: conversations.isSuccess && mayExist,
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => {
      try {
        return (
          await api.GET('/api/v1/conversations/{phone}/messages', {
            params: { path: { phone: peer }, query: { limit: THREAD_PAGE, cursor: pageParam } },
          })
        ).data!;
      } catch (error) {
        if (error instanceof ApiError && error.code === 'CONVERSATION_NOT_FOUND') {
          return { data: [] as ThreadMessage[], nextCursor: undefined };
        }
        throw error;
      }
    },
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  // Newest first from the API; a chat reads oldest first.
  const messages = (thread.data?.pages ?? []).flatMap((page) => page.data ?? []).reverse();

  const markRead = useMutation({
    mutationFn: async () =>
      api.POST('/api/v1/conversations/{phone}/read', { params: { path: { phone: peer } } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.conversationList }),
  });
  const unread = summary?.unreadCount ?? 0;
  const { mutate: markReadNow } = markRead;
  useEffect(() => {
    if (unread > 0) markReadNow();
  }, [unread, peer, summary?.lastMessage.id, markReadNow]);

  const send = useMutation({
    mutationFn: async (body: string) =>
      (
        await api.POST('/api/v1/conversations/{phone}/messages', {
          params: {
            path: { phone: peer },
            header: { 'Idempotency-Key': crypto.randomUUID() },
          },
          body: { body },
        })
      ).data!,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.conversations }),
  });

  const end = useRef<HTMLLIElement>(null);
  const newest = messages[messages.length - 1]?.id;
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [newest]);

  const contacts = useContacts();
  // A chat not started yet has no summary; the contact list still knows the name.
  const name =
    textOf(summary?.contactName) ??
    contacts.data?.data?.find((contact) => contact.phone === peer)?.name;
  return (
    <div className="thread">
      <header className="thread-head">
        <Link to="/chats" className="back">
          ← Chats
        </Link>
        <h2>{name ?? peer}</h2>
        {name && <span className="muted">{peer}</span>}
      </header>
      {conversations.isSuccess && contacts.isSuccess && !name && (
        <details className="panel save-contact">
          <summary>Save {peer} as a contact</summary>
          <AddContact phone={peer} />
        </details>
      )}
      <ErrorMessage error={thread.error ?? conversations.error} />
      {thread.hasNextPage && (
        <button
          type="button"
          className="link"
          disabled={thread.isFetchingNextPage}
          onClick={() => void thread.fetchNextPage()}
        >
          Show older messages
        </button>
      )}
      <ol className="bubbles" aria-label={`Messages with ${name ?? peer}`}>
        {messages.map((message) => (
          <Bubble key={message.id} message={message} />
        ))}
        <li ref={end} className="bubbles-end" aria-hidden="true" />
      </ol>
      {conversations.isSuccess && messages.length === 0 && !thread.isFetching && (
        <p className="muted">No messages yet. Say hello.</p>
      )}
      <SendBox
        label={`Message to ${name ?? peer}`}
        pending={send.isPending}
        error={send.error}
        onSend={async (body) => {
          try {
            await send.mutateAsync(body);
            return true;
          } catch {
            return false;
          }
        }}
      />
    </div>
  );
}

function Bubble({ message }: { message: ThreadMessage }) {
  const sent = message.direction === 'sent';
  const failed = FAILED_STATUSES.has(message.status);
  return (
    <li className={`bubble ${sent ? 'bubble-sent' : 'bubble-received'}`}>
      <p className="bubble-body">{message.body}</p>
      <p className="bubble-meta">
        <time dateTime={message.createdAt} title={fullTime(message.createdAt)}>
          {shortTime(message.createdAt)}
        </time>
        {sent && (
          <>
            <span aria-hidden="true"> · </span>
            <span className={`bubble-status status-${message.status}`}>
              {statusText(message.status)}
            </span>
          </>
        )}
      </p>
      {sent && failed && (
        <p className="bubble-error">
          {failureText(textOf(message.errorCode), textOf(message.errorMessage))}
        </p>
      )}
    </li>
  );
}
