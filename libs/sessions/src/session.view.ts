import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Session } from './session.entity';

export class SessionView {
  @ApiProperty({ example: 'chat-session-123' })
  id: string;

  @ApiProperty({ example: 4 })
  messageCount: number;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-21T10:05:00.000Z' })
  lastActivityAt: string;

  @ApiProperty({ example: false })
  closed: boolean;

  @ApiPropertyOptional({ type: String, example: '2026-11-21T12:00:00.000Z', nullable: true })
  closedAt: string | null;

  static from(session: Session): SessionView {
    return {
      id: session.id,
      messageCount: session.messageCount,
      createdAt: session.createdAt.toISOString(),
      lastActivityAt: session.lastActivityAt.toISOString(),
      closed: session.closedAt !== null,
      closedAt: session.closedAt?.toISOString() ?? null,
    };
  }
}
