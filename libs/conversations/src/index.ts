export * from './contact.dto';
export * from './contact.entity';
export * from './contacts.service';
export * from './conversation.views';
export * from './conversations.module';
export * from './conversations.service';
