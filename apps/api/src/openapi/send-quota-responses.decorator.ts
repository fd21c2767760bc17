import { applyDecorators } from '@nestjs/common';
import { ApiServiceUnavailableResponse, ApiTooManyRequestsResponse } from '@nestjs/swagger';

/** The answers of every route that sends SMS on the caller's account (README, Sending limits). */
export function ApiSendQuotaResponses(...otherTooManyRequests: string[]) {
  return applyDecorators(
    ApiTooManyRequestsResponse({
      description: [
        "SEND_QUOTA_EXCEEDED: the request's segments would pass the account's limit per UTC minute or per UTC day; nothing is stored. Retry-After (seconds) says when it fits; without it the request is larger than the limit itself.",
        ...otherTooManyRequests,
      ].join(' '),
    }),
    ApiServiceUnavailableResponse({
      description:
        "SEND_QUOTA_UNAVAILABLE: Redis, which counts the account's quota, cannot be reached; nothing is stored. Retry-After.",
    }),
  );
}
