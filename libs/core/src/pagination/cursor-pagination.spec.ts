import { AppException } from '../errors/app.exception';
import { Keyset, decodeCursor, encodeCursor } from './cursor-pagination';

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

describe('Keyset', () => {
  const byName = new Keyset({
    sortKey: 'c.name',
    sortKeyType: 'text',
    id: 'c.id',
    idType: 'uuid',
    direction: 'ASC',
  });
  const id = '6f1c1a8e-3b7e-4c1e-9a55-2f6f5b0f6a11';

  it('binds the cursor after the parameters already there, and one more row than the page', () => {
    const params: unknown[] = ['account'];
    const sql = byName.sql({ limit: 2, cursor: encodeCursor({ sortKey: 'Ada', id }) }, params);
    expect(sql).toEqual({
      positionColumns: 'c.name::text AS page_sort_key, c.id::text AS page_id',
      after: '(c.name, c.id) > ($2::text, $3::uuid)',
      orderBy: 'c.name ASC, c.id ASC',
      limit: '$4',
    });
    expect(params).toEqual(['account', 'Ada', id, 3]);
  });

  it('pages rows without their position, with a cursor only when more exist', () => {
    const row = (name: string) => ({ name, page_sort_key: name, page_id: id });
    const full = byName.page([row('a'), row('b'), row('c')], { limit: 2 }, (r) => r);
    expect(full.data).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(decodeCursor(full.nextCursor!)).toEqual({ sortKey: 'b', id });
    expect(byName.page([row('a')], { limit: 2 }, (r) => r).nextCursor).toBeNull();
  });

  it('refuses a cursor whose id is not of the order’s type', () => {
    expect(() => byName.after(encodeCursor({ sortKey: 'Ada', id: 'x' }), () => '?')).toThrow(
      AppException,
    );
  });
});
