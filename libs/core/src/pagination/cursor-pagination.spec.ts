import { AppException } from '../errors/app.exception';
import { decodeCursor, encodeCursor } from './cursor-pagination';

describe('cursors', () => {
  const position = {
    sortKey: '2026-11-21 10:00:00.123456+00',
    id: '6f1c1a8e-3b7e-4c1e-9a55-2f6f5b0f6a11',
  };

  it('round-trip, keeping microseconds', () => {
    expect(decodeCursor(encodeCursor(position), { sortKey: 'timestamp', id: 'uuid' })).toEqual(
      position,
    );
  });

  it.each([
    ['garbage', 'not-base64-json'],
    [
      'a non-timestamp sort key',
      encodeCursor({ sortKey: "x'); DROP TABLE messages; --", id: position.id }),
    ],
    ['a non-uuid id', encodeCursor({ sortKey: position.sortKey, id: 'abc' })],
  ])('refuse %s with 400 INVALID_CURSOR', (_label, cursor) => {
    try {
      decodeCursor(cursor, { sortKey: 'timestamp', id: 'uuid' });
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(AppException);
      expect((error as AppException).code).toBe('INVALID_CURSOR');
    }
  });
});
