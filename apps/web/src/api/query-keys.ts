/**
 * The TanStack Query keys of the app, in one place: live updates (live-cache.ts) update or
 * invalidate these, so a page that uses them is live without doing anything more. Each key
 * starts with its resource, so invalidating `['messages']` reaches every list and detail of it.
 */
export const queryKeys = {
  me: ['me'] as const,
  messages: ['messages'] as const,
  messageList: (filters: object = {}) => ['messages', 'list', filters] as const,
  message: (id: string) => ['messages', 'detail', id] as const,
  conversations: ['conversations'] as const,
  conversationList: ['conversations', 'list'] as const,
  thread: (peer: string) => ['conversations', 'thread', peer] as const,
  devices: ['devices'] as const,
  groups: ['groups'] as const,
  sessions: ['sessions'] as const,
  webhooks: ['webhooks'] as const,
  apiKeys: ['api-keys'] as const,
};
