/**
 * The pages of the signed-in app, in navigation order. A page is one entry: its path (under `/`),
 * the label of its navigation link, and its element; `children` for its own sub-routes (e.g.
 * `chats/:peer`). Large pages can be split off with React's lazy().
 */
import { Suspense, lazy, type ReactNode } from 'react';
import type { RouteObject } from 'react-router';
import { ChatsPage, NoThread } from './pages/chats/chats-page';
import { Thread } from './pages/chats/thread';
import { GroupChat } from './pages/groups/group-chat';
import { GroupsPage, NoGroup } from './pages/groups/groups-page';
import { messagesRoute, sessionsRoute } from './pages/messages/routes';

// The console's pages load when first opened (the QR code generator stays off the first page).
const PhonesPage = lazy(() =>
  import('./pages/phones/phones-page').then((module) => ({ default: module.PhonesPage })),
);
const WebhooksPage = lazy(() =>
  import('./pages/webhooks/webhooks-page').then((module) => ({ default: module.WebhooksPage })),
);
const AccountPage = lazy(() =>
  import('./pages/account/account-page').then((module) => ({ default: module.AccountPage })),
);

function Loading({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <p className="muted" role="status">
          Loading…
        </p>
      }
    >
      {children}
    </Suspense>
  );
}

export interface PageRoute {
  path: string;
  label: string;
  element: ReactNode;
  children?: RouteObject[];
}

export const pages: PageRoute[] = [
  {
    path: 'chats',
    label: 'Chats',
    element: <ChatsPage />,
    children: [
      { index: true, element: <NoThread /> },
      { path: ':peer', element: <Thread /> },
    ],
  },
  {
    path: 'groups',
    label: 'Groups',
    element: <GroupsPage />,
    children: [
      { index: true, element: <NoGroup /> },
      { path: ':name', element: <GroupChat /> },
    ],
  },
  messagesRoute,
  sessionsRoute,
  {
    path: 'phones',
    label: 'Phones',
    element: (
      <Loading>
        <PhonesPage />
      </Loading>
    ),
  },
  {
    path: 'webhooks',
    label: 'Webhooks',
    element: (
      <Loading>
        <WebhooksPage />
      </Loading>
    ),
  },
  {
    path: 'account',
    label: 'Account',
    element: (
      <Loading>
        <AccountPage />
      </Loading>
    ),
  },
];
