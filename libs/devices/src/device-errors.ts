import { ConflictAppException, NotFoundAppException } from '@app/core';

/** Stable codes that clients and tests match on. */
export const DeviceErrorCode = {
  NotFound: 'DEVICE_NOT_FOUND',
  LimitReached: 'DEVICE_LIMIT_REACHED',
} as const;

export function deviceNotFound(): NotFoundAppException {
  return new NotFoundAppException(DeviceErrorCode.NotFound, 'No such device.');
}

export function deviceLimitReached(limit: number): ConflictAppException {
  return new ConflictAppException(
    DeviceErrorCode.LimitReached,
    `An account can have at most ${limit} devices; delete one first.`,
    { limit },
  );
}
