/**
 * The routes of Messages (list, send one, bulk send, one message) and Sessions. Their code is
 * loaded the first time one is opened, so it costs the first page nothing.
 */
import { lazy, Suspense, type ComponentType } from 'react';
import type { PageRoute } from '../../routes';

type Pages = typeof import('./index');
const load = () => import('./index');

function page(name: keyof Pages) {
  const Page = lazy(() => load().then((pages) => ({ default: pages[name] as ComponentType })));
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Page />
    </Suspense>
  );
}

export const messagesRoute: PageRoute = {
  path: 'messages',
  label: 'Messages',
  element: page('MessagesLayout'),
  children: [
    { index: true, element: page('MessageListPage') },
    { path: 'send', element: page('SendMessagePage') },
    { path: 'bulk', element: page('BulkSendPage') },
    { path: ':id', element: page('MessageDetailPage') },
  ],
};

export const sessionsRoute: PageRoute = {
  path: 'sessions',
  label: 'Sessions',
  element: page('SessionsLayout'),
  children: [
    { index: true, element: page('SessionListPage') },
    { path: ':id', element: page('SessionDetailPage') },
  ],
};
