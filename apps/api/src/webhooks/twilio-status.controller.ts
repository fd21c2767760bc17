import { Body, Controller, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiConsumes,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Public } from '@app/auth';
import { StatusCallbacksService } from '@app/messaging';
import { TwilioSignatureGuard } from './twilio-signature.guard';

/** Twilio's form fields are PascalCase and open-ended; only these matter here. */
interface TwilioStatusForm {
  MessageSid?: string;
  MessageStatus?: string;
  ErrorCode?: string;
}

@ApiTags('webhooks')
@Public()
@Controller('webhooks/twilio')
export class TwilioStatusController {
  constructor(private readonly statusCallbacks: StatusCallbacksService) {}

  @Post('status')
  @HttpCode(204)
  @UseGuards(TwilioSignatureGuard)
  @ApiOperation({
    summary: 'Twilio message status callback',
    description:
      'Set automatically as `statusCallback` on every message sent through Twilio. Form-encoded, signed with `X-Twilio-Signature`. Statuses never move backwards; replays change nothing.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiNoContentResponse({ description: 'Accepted (also for unknown or stale callbacks).' })
  @ApiForbiddenResponse({ description: 'TWILIO_SIGNATURE_INVALID, TWILIO_SIGNATURE_MISSING' })
  async status(
    @Query('messageId') messageId: string | undefined,
    @Body() form: TwilioStatusForm,
  ): Promise<void> {
    await this.statusCallbacks.applyTwilioStatus({
      messageId,
      messageSid: form.MessageSid,
      status: form.MessageStatus,
      errorCode: form.ErrorCode,
    });
  }
}
