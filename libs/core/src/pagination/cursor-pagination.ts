import { HttpStatus } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppException } from '../errors/app.exception';
import { isUuid } from '../ids/uuid';

export class PaginationQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50, example: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Position after the last row of a page, for keyset pagination on (sortKey, id). */
export interface CursorPosition {
  sortKey: string;
  id: string;
}

export const DEFAULT_PAGE_SIZE = 50;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.sortKey, position.id])).toString('base64url');
}

// What PostgreSQL prints for a timestamptz (`created_at::text`), or an ISO 8601 string.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/;

/** What a list's cursor must hold, checked so that a forged cursor is a 400, never a SQL error. */
export interface CursorShape {
  sortKey?: 'timestamp';
  id?: 'uuid';
}

export function decodeCursor(cursor: string, shape: CursorShape = {}): CursorPosition {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(decoded) &&
      decoded.length === 2 &&
      typeof decoded[0] === 'string' &&
      typeof decoded[1] === 'string' &&
      (shape.sortKey !== 'timestamp' || TIMESTAMP.test(decoded[0])) &&
      (shape.id !== 'uuid' || isUuid(decoded[1]))
    ) {
      return { sortKey: decoded[0], id: decoded[1] };
    }
  } catch {
    // fall through to the problem below
  }
  throw new AppException(HttpStatus.BAD_REQUEST, 'INVALID_CURSOR', 'The cursor is not valid.');
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only says that another page exists.
 */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  positionOf: (row: Row) => CursorPosition,
  toItem: (row: Row) => Item,
): Page<Item> {
  const pageRows = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  const last = pageRows[pageRows.length - 1];
  return {
    data: pageRows.map(toItem),
    nextCursor: hasMore && last ? encodeCursor(positionOf(last)) : null,
  };
}
