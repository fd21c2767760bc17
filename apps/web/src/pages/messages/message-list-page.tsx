import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { queryKeys } from '../../api/query-keys';
import { ErrorMessage, Field } from '../../components/form';
import { SelectField } from './fields';
import { STATUSES, isoOfLocalInput, localInputOf, type MessageStatus } from './format';
import { LoadMoreButton, MessageRows } from './message-rows';

const PAGE_SIZE = 50;
const FILTERS = ['status', 'direction', 'peer', 'sessionId', 'deviceId', 'since', 'until'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** The filters in the address (so a filtered list can be bookmarked and shared). */
function filtersOf(params: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

/** The account's phones, for choosing one (an empty list when none or on error). */
export function useDevices() {
  return useQuery({
    queryKey: [...queryKeys.devices, 'choices'],
    queryFn: async () =>
      (await api.GET('/api/v1/devices', { params: { query: { limit: 100 } } })).data!,
  });
}

/**
 * Every message of the account, newest first, with the API's filters and "load more" paging.
 * Live: message events invalidate the list (live-cache.ts), so statuses change in place.
 */
export function MessageListPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersOf(params);
  const devices = useDevices();
  const list = useInfiniteQuery({
    queryKey: queryKeys.messageList(filters),
    queryFn: async ({ pageParam }) =>
      (
        await api.GET('/api/v1/messages', {
          params: {
            query: {
              ...filters,
              status: filters.status as MessageStatus | undefined,
              direction: filters.direction as 'outbound' | 'inbound' | undefined,
              limit: PAGE_SIZE,
              cursor: pageParam,
            },
          },
        })
      ).data!,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const name of FILTERS) {
      const raw = String(form.get(name) ?? '').trim();
      const value = name === 'since' || name === 'until' ? isoOfLocalInput(raw) : raw;
      if (value) next.set(name, value);
    }
    setParams(next);
  };

  const messages = list.data?.pages.flatMap((page) => page.data ?? []) ?? [];
  const filtered = Object.keys(filters).length > 0;

  return (
    <>
      <h1>Messages</h1>
      <details className="filters" open={filtered}>
        <summary>Filters{filtered ? ` (${Object.keys(filters).length})` : ''}</summary>
        {/* Keyed by the address: "Clear" and the back button reset what the inputs show. */}
        <form onSubmit={apply} key={params.toString()} className="filter-grid">
          <SelectField label="Status" name="status" defaultValue={filters.status ?? ''}>
            <option value="">Any</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </SelectField>
          <SelectField label="Direction" name="direction" defaultValue={filters.direction ?? ''}>
            <option value="">Both</option>
            <option value="outbound">Outbound</option>
            <option value="inbound">Inbound</option>
          </SelectField>
          <Field
            label="Other party"
            name="peer"
            type="tel"
            placeholder="+14155550123"
            defaultValue={filters.peer ?? ''}
          />
          <Field label="Session" name="sessionId" defaultValue={filters.sessionId ?? ''} />
          <SelectField label="Phone" name="deviceId" defaultValue={filters.deviceId ?? ''}>
            <option value="">Any</option>
            {devices.data?.data?.map((device) => (
              <option key={device.id} value={device.id}>
                {device.name}
              </option>
            ))}
          </SelectField>
          <Field
            label="Created from"
            name="since"
            type="datetime-local"
            defaultValue={localInputOf(filters.since)}
          />
          <Field
            label="Created before"
            name="until"
            type="datetime-local"
            defaultValue={localInputOf(filters.until)}
          />
          <div className="filter-actions">
            <button type="submit" className="primary">
              Apply filters
            </button>
            <button type="button" onClick={() => setParams(new URLSearchParams())}>
              Clear
            </button>
          </div>
        </form>
      </details>

      <ErrorMessage error={list.error} />
      {list.isPending && <p className="muted">Loading…</p>}
      {list.isSuccess && messages.length === 0 && (
        <p className="muted">
          {filtered ? 'No message matches these filters.' : 'No messages yet.'}{' '}
          <Link to="/messages/send">Send one</Link> or{' '}
          <Link to="/messages/bulk">send many from a CSV file</Link>.
        </p>
      )}
      {messages.length > 0 && <MessageRows messages={messages} label="Messages" />}
      <LoadMoreButton query={list} />
    </>
  );
}
