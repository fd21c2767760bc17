import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { NavLink, Outlet, useNavigate, useParams } from 'react-router';
import { api } from '../../api/client';
import { ApiError } from '../../api/problem';
import { queryKeys } from '../../api/query-keys';
import { ErrorMessage, Field, fieldError } from '../../components/form';
import '../chats/chats.css';
import './groups.css';

/** Every key starts with `groups`: live-cache.ts refreshes them all on message events. */
export const groupKeys = {
  mine: [...queryKeys.groups, 'mine'] as const,
  search: (text: string) => [...queryKeys.groups, 'search', text] as const,
  detail: (name: string) => [...queryKeys.groups, 'detail', name] as const,
  messages: (name: string) => [...queryKeys.groups, 'messages', name] as const,
  invite: (name: string) => [...queryKeys.groups, 'invite', name] as const,
};

export function groupPath(name: string): string {
  return `/groups/${encodeURIComponent(name)}`;
}

export function useMyGroups() {
  return useQuery({
    queryKey: groupKeys.mine,
    queryFn: async () => (await api.GET('/api/v1/me/groups')).data!,
  });
}

/**
 * Groups: the ones you are in (each with your own number for it), and finding, creating or
 * joining others. The open group's chat sits beside the list on a wide screen.
 */
export function GroupsPage() {
  const { name } = useParams();
  return (
    <div className={`chats ${name ? 'chats-thread-open' : ''}`}>
      <section className="chats-side" aria-labelledby="groups-heading">
        <h1 id="groups-heading">Groups</h1>
        <MyGroups />
        <FindGroups />
        <CreateGroup />
        <JoinPrivate />
      </section>
      <section className="chats-main">
        <Outlet />
      </section>
    </div>
  );
}

function MyGroups() {
  const mine = useMyGroups();
  const groups = mine.data ?? [];
  return (
    <>
      <ErrorMessage error={mine.error} />
      {mine.isPending && <p className="muted">Loading…</p>}
      {mine.isSuccess && groups.length === 0 && (
        <p className="muted">You are in no group yet. Find one, or create your own.</p>
      )}
      {groups.length > 0 && (
        <ul className="threads" aria-label="Your groups">
          {groups.map((group) => (
            <li key={group.name}>
              <NavLink to={groupPath(group.name)} className="thread-link">
                <span className="thread-name">{group.name}</span>
                <span className="muted thread-time">
                  {group.visibility === 'private' ? 'Private' : 'Public'}
                </span>
                <span className="muted thread-last">Your number: {group.number}</span>
              </NavLink>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function useJoin() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: async ({ name, inviteCode }: { name: string; inviteCode?: string }) =>
      (
        await api.POST('/api/v1/groups/{name}/members', {
          params: { path: { name } },
          body: inviteCode ? { inviteCode } : {},
        })
      ).data!,
    onSuccess: async (membership) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.groups });
      void navigate(groupPath(membership.group));
    },
  });
}

function FindGroups() {
  const [text, setText] = useState('');
  const [search, setSearch] = useState<string>();
  const mine = useMyGroups();
  const found = useQuery({
    queryKey: groupKeys.search(search ?? ''),
    enabled: search !== undefined,
    queryFn: async () =>
      (
        await api.GET('/api/v1/groups', {
          params: { query: { search: search || undefined, limit: 50 } },
        })
      ).data!,
  });
  const join = useJoin();
  const member = new Set((mine.data ?? []).map((group) => group.name));
  const results = found.data?.data ?? [];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSearch(text.trim());
  };
  return (
    <details className="panel" open>
      <summary>Find a public group</summary>
      <form onSubmit={submit} role="search" className="inline-form">
        <Field
          label="Group name contains"
          value={text}
          maxLength={32}
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit">Search</button>
      </form>
      <ErrorMessage error={found.error} />
      {found.isSuccess && results.length === 0 && <p className="muted">No public group matches.</p>}
      {results.length > 0 && (
        <ul className="contacts" aria-label="Groups found">
          {results.map((group) => (
            <li key={group.name} className="found-group">
              <span className="contact-name">{group.name}</span>
              {member.has(group.name) ? (
                <NavLink to={groupPath(group.name)} className="button-link">
                  Open<span className="visually-hidden"> {group.name}</span>
                </NavLink>
              ) : (
                <button
                  type="button"
                  disabled={join.isPending}
                  onClick={() => join.mutate({ name: group.name })}
                >
                  Join<span className="visually-hidden"> {group.name}</span>
                </button>
              )}
              {join.variables?.name === group.name && <ErrorMessage error={join.error} />}
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}

function CreateGroup() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'private'>('public');
  const create = useMutation({
    mutationFn: async () =>
      (await api.POST('/api/v1/groups', { body: { name: name.trim(), visibility } })).data!,
    onSuccess: async (membership) => {
      setName('');
      await queryClient.invalidateQueries({ queryKey: queryKeys.groups });
      void navigate(groupPath(membership.group));
    },
  });
  const nameError = fieldError(create.error, 'name');
  return (
    <details className="panel">
      <summary>Create a group</summary>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <Field
          label="Name of the new group"
          value={name}
          required
          maxLength={32}
          autoComplete="off"
          hint="3–32 letters, digits, “.”, “_” or “-”."
          error={nameError}
          onChange={(event) => setName(event.target.value)}
        />
        <fieldset className="choice">
          <legend>Who can join</legend>
          <label>
            <input
              type="radio"
              name="visibility"
              value="public"
              checked={visibility === 'public'}
              onChange={() => setVisibility('public')}
            />
            Public: anyone can find and join it
          </label>
          <label>
            <input
              type="radio"
              name="visibility"
              value="private"
              checked={visibility === 'private'}
              onChange={() => setVisibility('private')}
            />
            Private: hidden, joined with an invite code
          </label>
        </fieldset>
        {!nameError && <ErrorMessage error={create.error} />}
        <button type="submit" className="primary" disabled={create.isPending}>
          Create group
        </button>
      </form>
    </details>
  );
}

function JoinPrivate() {
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const join = useJoin();
  return (
    <details className="panel">
      <summary>Join with an invite code</summary>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          join.mutate({ name: name.trim().toLowerCase(), inviteCode: code.trim() });
        }}
      >
        <Field
          label="Name of the group to join"
          value={name}
          required
          maxLength={32}
          autoComplete="off"
          onChange={(event) => setName(event.target.value)}
        />
        <Field
          label="Invite code"
          value={code}
          autoComplete="off"
          maxLength={64}
          hint="A member can give it to you from the group's page."
          error={fieldError(join.error, 'inviteCode')}
          onChange={(event) => setCode(event.target.value)}
        />
        {join.error instanceof ApiError && join.error.code === 'GROUP_NOT_FOUND' ? (
          <p className="alert" role="alert">
            No group by that name takes this invite code. Check both with the member who gave them
            to you.
          </p>
        ) : (
          <ErrorMessage error={fieldError(join.error, 'inviteCode') ? null : join.error} />
        )}
        <button type="submit" className="primary" disabled={join.isPending}>
          Join group
        </button>
      </form>
    </details>
  );
}

/** Before a group is chosen, on a wide screen. */
export function NoGroup() {
  return (
    <div className="no-thread muted">
      <p>Choose a group to read and post in it.</p>
      <p>Everyone in a group has their own number for it: a text to it reaches every member.</p>
    </div>
  );
}
