/** The Messages and Sessions pages: one chunk, loaded when first opened (routes.tsx). */
export { MessagesLayout } from './messages-layout';
export { MessageListPage } from './message-list-page';
export { MessageDetailPage } from './message-detail-page';
export { SendMessagePage } from './send-message-page';
export { BulkSendPage } from './bulk-send-page';
export { SessionsLayout, SessionListPage, SessionDetailPage } from '../sessions/sessions-pages';
