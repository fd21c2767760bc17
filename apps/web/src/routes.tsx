/**
 * The pages of the signed-in app, in navigation order. A page is one entry: its path (under `/`),
 * the label of its navigation link, and its element; `children` for its own sub-routes (e.g.
 * `chats/:peer`). Large pages can be split off with React's lazy().
 */
import type { ReactNode } from 'react';
import type { RouteObject } from 'react-router';
import { ChatsPage, NoThread } from './pages/chats/chats-page';
import { Thread } from './pages/chats/thread';
import { GroupChat } from './pages/groups/group-chat';
import { GroupsPage, NoGroup } from './pages/groups/groups-page';
import { PlaceholderPage } from './pages/placeholder-page';

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
  {
    path: 'messages',
    label: 'Messages',
    element: (
      <PlaceholderPage title="Messages" about="Every message of the account, and bulk sends." />
    ),
  },
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
