/**
 * The pages of the signed-in app, in navigation order. A page is one entry: its path (under `/`),
 * the label of its navigation link, and its element; `children` for its own sub-routes (e.g.
 * `chats/:peer`). Large pages can be split off with React's lazy().
 */
import type { ReactNode } from 'react';
import type { RouteObject } from 'react-router';
import { ChatsPage } from './pages/chats-page';
import { messagesRoute, sessionsRoute } from './pages/messages/routes';
import { PlaceholderPage } from './pages/placeholder-page';

export interface PageRoute {
  path: string;
  label: string;
  element: ReactNode;
  children?: RouteObject[];
}

export const pages: PageRoute[] = [
  { path: 'chats', label: 'Chats', element: <ChatsPage /> },
  {
    path: 'groups',
    label: 'Groups',
    element: (
      <PlaceholderPage title="Groups" about="Group chats by SMS: search, create and join." />
    ),
  },
  messagesRoute,
  sessionsRoute,
  {
    path: 'phones',
    label: 'Phones',
    element: <PlaceholderPage title="Phones" about="Android phones that send your SMS." />,
  },
  {
    path: 'webhooks',
    label: 'Webhooks',
    element: <PlaceholderPage title="Webhooks" about="Endpoints told about your events." />,
  },
  {
    path: 'account',
    label: 'Account',
    element: <PlaceholderPage title="Account" about="Your name, password, API keys and limits." />,
  },
];
