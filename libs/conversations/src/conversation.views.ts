import { ApiProperty, OmitType } from '@nestjs/swagger';
import { Message, MessageView } from '@app/messaging';

/** A message inside a conversation: `sent` by this account or `received` from the peer. */
export class ConversationMessageView extends OmitType(MessageView, ['direction'] as const) {
  @ApiProperty({ enum: ['sent', 'received'], example: 'received' })
  direction: 'sent' | 'received';

  static fromMessage(message: Message): ConversationMessageView {
    return ConversationMessageView.fromView(MessageView.from(message));
  }

  static fromView(view: MessageView): ConversationMessageView {
    return { ...view, direction: view.direction === 'outbound' ? 'sent' : 'received' };
  }
}

/** One thread per peer phone. */
export class ConversationView {
  @ApiProperty({ example: '+14155550123' })
  peer: string;

  @ApiProperty({ type: String, example: 'Ada Lovelace', nullable: true })
  contactName: string | null;

  @ApiProperty({ example: 2, description: 'Received messages newer than the last POST …/read.' })
  unreadCount: number;

  @ApiProperty({ example: '2026-11-21T10:05:00.000Z' })
  lastActivityAt: string;

  @ApiProperty({ type: ConversationMessageView })
  lastMessage: ConversationMessageView;
}
