import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api/client';
import { ApiError } from '../../api/problem';
import { queryKeys } from '../../api/query-keys';
import { ErrorMessage } from '../../components/form';
import { fullTime, shortTime } from '../chats/chat-format';
import { SendBox } from '../chats/send-box';
import { groupKeys, useMyGroups } from './groups-page';

const PAGE = 50;

/**
 * One group: who is in it, your number for it, and what members said (by SMS or here), oldest
 * first. Live: a post by another member is relayed to you by SMS, and that message's event
 * refreshes every `groups` query (live-cache.ts), so it appears here without a reload.
 */
export function GroupChat() {
  const name = decodeURIComponent(useParams().name ?? '');
  const queryClient = useQueryClient();
  const mine = useMyGroups();
  const membership = mine.data?.find((group) => group.name === name);
  // Once leaving, the group's queries stop: a live event refreshing them then would ask for a
  // private group this account is no longer in, and get a 404.
  const [leaving, setLeaving] = useState(false);
  const detail = useQuery({
    queryKey: groupKeys.detail(name),
    enabled: !leaving,
    queryFn: async () =>
      (await api.GET('/api/v1/groups/{name}', { params: { path: { name } } })).data!,
  });
  const messages = useInfiniteQuery({
    queryKey: groupKeys.messages(name),
    enabled: !!membership && !leaving,
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      (
        await api.GET('/api/v1/groups/{name}/messages', {
          params: { path: { name }, query: { limit: PAGE, cursor: pageParam } },
        })
      ).data!,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const posts = (messages.data?.pages ?? []).flatMap((page) => page.data ?? []).reverse();

  const post = useMutation({
    mutationFn: async (body: string) =>
      (
        await api.POST('/api/v1/groups/{name}/messages', {
          params: { path: { name } },
          body: { body },
        })
      ).data!,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: groupKeys.messages(name) }),
  });

  const end = useRef<HTMLLIElement>(null);
  const newest = posts[posts.length - 1]?.id;
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [newest]);

  const notFound = detail.error instanceof ApiError && detail.error.status === 404;
  return (
    <div className="thread">
      <header className="thread-head">
        <Link to="/groups" className="back">
          ← Groups
        </Link>
        <h2>{name}</h2>
        {detail.data && (
          <span className="muted">
            {detail.data.visibility === 'private' ? 'Private' : 'Public'} ·{' '}
            {detail.data.memberCount} member{detail.data.memberCount === 1 ? '' : 's'}
          </span>
        )}
      </header>
      {notFound ? (
        <p className="alert" role="alert">
          There is no group named “{name}” that you can see. A private group needs its invite code.
        </p>
      ) : (
        <ErrorMessage error={detail.error} />
      )}
      {membership && (
        <p className="group-number">
          Text <strong>{membership.number}</strong> to reach the group from your phone; text LEAVE
          to it to leave.
        </p>
      )}
      {mine.isSuccess && !membership && detail.data && (
        <p className="muted">You are not in this group. Join it from the list to read and post.</p>
      )}
      {detail.data?.members && (
        <p className="members">
          <span className="muted">Members: </span>
          {detail.data.members.map((member) => member.name).join(', ')}
        </p>
      )}
      {membership && detail.data?.visibility === 'private' && <InviteCode name={name} />}
      {membership && (
        <>
          <ErrorMessage error={messages.error} />
          {messages.hasNextPage && (
            <button
              type="button"
              className="link"
              disabled={messages.isFetchingNextPage}
              onClick={() => void messages.fetchNextPage()}
            >
              Show older posts
            </button>
          )}
          <ol className="bubbles" aria-label={`Posts in ${name}`}>
            {posts.map((message) => {
              const own = message.mine;
              return (
                <li
                  key={message.id}
                  className={`bubble ${own ? 'bubble-sent' : 'bubble-received'}`}
                >
                  {!own && <p className="bubble-sender">{message.sender}</p>}
                  <p className="bubble-body">{message.body}</p>
                  <p className="bubble-meta">
                    <time dateTime={message.createdAt} title={fullTime(message.createdAt)}>
                      {shortTime(message.createdAt)}
                    </time>
                    {' · '}
                    {own ? 'You' : ''}
                    {own ? ', ' : ''}
                    {message.via === 'sms' ? 'by SMS' : 'in the app'}
                  </p>
                </li>
              );
            })}
            <li ref={end} className="bubbles-end" aria-hidden="true" />
          </ol>
          {messages.isSuccess && posts.length === 0 && (
            <p className="muted">Nothing said since you joined. Say hello.</p>
          )}
          <SendBox
            label={`Post to ${name}`}
            pending={post.isPending}
            error={post.error}
            onSend={async (body) => {
              try {
                await post.mutateAsync(body);
                return true;
              } catch {
                return false;
              }
            }}
          />
          <p className="muted">
            A post is texted to every other member: it counts (members − 1) × its SMS against your
            sending limit.
          </p>
          <Leave name={name} onLeaving={setLeaving} />
        </>
      )}
    </div>
  );
}

function InviteCode({ name }: { name: string }) {
  const [shown, setShown] = useState(false);
  const invite = useQuery({
    queryKey: groupKeys.invite(name),
    enabled: shown,
    queryFn: async () =>
      (await api.GET('/api/v1/groups/{name}/invite', { params: { path: { name } } })).data!,
  });
  if (!shown) {
    return (
      <button type="button" className="link" onClick={() => setShown(true)}>
        Show the invite code
      </button>
    );
  }
  return (
    <div className="invite">
      <ErrorMessage error={invite.error} />
      {invite.data && (
        <p>
          Invite code: <code className="invite-code">{invite.data.inviteCode}</code>{' '}
          <span className="muted">(give it with the group’s name to whoever should join)</span>
        </p>
      )}
    </div>
  );
}

function Leave({ name, onLeaving }: { name: string; onLeaving: (leaving: boolean) => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const leave = useMutation({
    onMutate: () => onLeaving(true),
    onError: () => onLeaving(false),
    mutationFn: async () =>
      api.DELETE('/api/v1/groups/{name}/members/me', { params: { path: { name } } }),
    onSuccess: async () => {
      // Off the group's page first: asked again now, a private group would answer 404.
      await navigate('/groups');
      for (const key of [groupKeys.detail, groupKeys.messages, groupKeys.invite]) {
        queryClient.removeQueries({ queryKey: key(name) });
      }
      await queryClient.invalidateQueries({ queryKey: queryKeys.groups });
    },
  });
  return (
    <div className="row-actions leave">
      {confirming ? (
        <>
          <button
            type="button"
            className="danger"
            disabled={leave.isPending}
            onClick={() => leave.mutate()}
          >
            Leave {name} now
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Stay
          </button>
        </>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Leave the group
        </button>
      )}
      <ErrorMessage error={leave.error} />
    </div>
  );
}
