import { HttpStatus } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppException, validationExceptionFactory } from '@app/core';

/**
 * The app's request bodies, checked here rather than by the global pipe: fields a newer app adds
 * are dropped instead of refused (the global pipe forbids unknown fields), and `PATCH /message`
 * is a JSON array, which no DTO class describes.
 */
export function parseAppBody<T extends object>(type: new () => T, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppException(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', 'Expected a JSON object.');
  }
  const parsed = plainToInstance(type, body);
  const errors = validateSync(parsed, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) throw validationExceptionFactory(errors);
  return parsed;
}

export function parseAppList<T extends object>(
  type: new () => T,
  body: unknown,
  maxItems: number,
): T[] {
  if (!Array.isArray(body)) {
    throw new AppException(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', 'Expected a JSON array.');
  }
  if (body.length > maxItems) {
    throw new AppException(
      HttpStatus.BAD_REQUEST,
      'VALIDATION_FAILED',
      `At most ${maxItems} items per request.`,
    );
  }
  return body.map((item) => parseAppBody(type, item));
}
