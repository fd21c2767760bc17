import { Body, Controller, Header, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Public } from '@app/auth';
import { AppException } from '@app/core';
import { InboundMessagesService } from '@app/messaging';
import { MissingSignatureAnswers, TwilioSignatureGuard } from './twilio-signature.guard';

/** Twilio's incoming-message form (PascalCase, open-ended); the fields used here. */
interface TwilioInboundForm {
  MessageSid?: string;
  From?: string;
  To?: string;
  Body?: string;
  NumMedia?: string;
}

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

@ApiTags('webhooks')
@Public()
@Controller('webhooks/twilio')
export class TwilioSmsController {
  constructor(private readonly inbound: InboundMessagesService) {}

  @Post('sms')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml')
  @UseGuards(TwilioSignatureGuard)
  @MissingSignatureAnswers(HttpStatus.BAD_REQUEST)
  @ApiOperation({
    summary: 'Twilio incoming SMS webhook',
    description:
      "Configure it as the Messaging webhook (HTTP POST) of every pool number: `{PUBLIC_BASE_URL}/webhooks/twilio/sms`. Signed with X-Twilio-Signature; idempotent on MessageSid; answers empty TwiML (replies go out through Switchboard's queue, not TwiML).",
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOkResponse({ description: 'Empty TwiML', content: { 'text/xml': { example: EMPTY_TWIML } } })
  @ApiBadRequestResponse({ description: 'TWILIO_SIGNATURE_MISSING, INVALID_WEBHOOK' })
  @ApiForbiddenResponse({ description: 'TWILIO_SIGNATURE_INVALID' })
  async sms(@Body() form: TwilioInboundForm): Promise<string> {
    if (!form.MessageSid || !form.From) {
      throw new AppException(
        HttpStatus.BAD_REQUEST,
        'INVALID_WEBHOOK',
        'MessageSid and From are required.',
      );
    }
    await this.inbound.receive({
      source: 'twilio',
      externalId: form.MessageSid,
      from: form.From,
      to: form.To ?? null,
      body: form.Body ?? '',
    });
    return EMPTY_TWIML;
  }
}
