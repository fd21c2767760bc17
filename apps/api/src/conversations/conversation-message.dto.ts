import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { MAX_BODY_LENGTH } from '@app/messaging';

export class ConversationMessageDto {
  @ApiProperty({ example: 'See you at 6?', minLength: 1, maxLength: MAX_BODY_LENGTH })
  @IsString()
  @Length(1, MAX_BODY_LENGTH)
  body: string;
}
