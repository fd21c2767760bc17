import { HttpStatus } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
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

/** What a list request says about paging. */
export type PageRequest = Pick<PaginationQueryDto, 'limit' | 'cursor'>;

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

/** The order of a list: a sort key, and a column unique within the list that breaks its ties. */
export interface KeysetOrder {
  /** SQL of the sort key, e.g. `m.created_at`. */
  sortKey: string;
  sortKeyType: 'timestamptz' | 'text';
  /** SQL of the tie-breaker, e.g. `m.id`. */
  id: string;
  idType: 'uuid' | 'text';
  direction: 'ASC' | 'DESC';
}

// The aliases a row's position is selected under; `page` takes them off again.
const SORT_KEY_COLUMN = 'page_sort_key';
const ID_COLUMN = 'page_id';
// Where pageOf keeps each raw row's entity until `page` hands it over.
const ENTITY = Symbol('entity');

/** A raw row carrying its position (see KeysetSql.positionColumns). */
export type PositionedRow = Record<string | symbol, unknown>;

/** The SQL fragments of one page of a hand-written query, its parameters bound positionally. */
export interface KeysetSql {
  /** For the SELECT list: the row's position. */
  positionColumns: string;
  /** For the WHERE clause: `TRUE` on the first page. */
  after: string;
  orderBy: string;
  /** The LIMIT's placeholder: one row more than the page, to learn whether another page exists. */
  limit: string;
}

/**
 * Keyset pagination on (sort key, id), the one way every list pages. The position is read by
 * PostgreSQL as text: a timestamptz to the microsecond (a JS Date keeps milliseconds only, and
 * rows of one millisecond would fall between two pages). A cursor is checked against the order's
 * types, so that a forged one is a 400, never a SQL error.
 */
export class Keyset {
  private readonly shape: CursorShape;
  private readonly comparison: '<' | '>';

  constructor(private readonly order: KeysetOrder) {
    this.shape = {
      sortKey: order.sortKeyType === 'timestamptz' ? 'timestamp' : undefined,
      id: order.idType === 'uuid' ? 'uuid' : undefined,
    };
    this.comparison = order.direction === 'DESC' ? '<' : '>';
  }

  limitOf(request: PageRequest): number {
    return request.limit ?? DEFAULT_PAGE_SIZE;
  }

  /**
   * The condition of the rows after the cursor (null without one); `bind` turns a value into
   * a placeholder of the query.
   */
  after(cursor: string | undefined, bind: (value: string) => string): string | null {
    if (!cursor) return null;
    const { sortKey, id } = decodeCursor(cursor, this.shape);
    const { order } = this;
    return `(${order.sortKey}, ${order.id}) ${this.comparison} (${bind(sortKey)}::${order.sortKeyType}, ${bind(id)}::${order.idType})`;
  }

  /** The fragments of a hand-written query; the values are appended to `params`. */
  sql(request: PageRequest, params: unknown[]): KeysetSql {
    const bind = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const { order } = this;
    return {
      positionColumns: `${order.sortKey}::text AS ${SORT_KEY_COLUMN}, ${order.id}::text AS ${ID_COLUMN}`,
      after: this.after(request.cursor, bind) ?? 'TRUE',
      orderBy: `${order.sortKey} ${order.direction}, ${order.id} ${order.direction}`,
      limit: bind(this.limitOf(request) + 1),
    };
  }

  /**
   * Turns the `limit + 1` rows of a hand-written query into a page: the extra row only says that
   * another page exists. `toItem` sees each row without its position columns.
   */
  page<Row extends object, Item>(
    rows: Row[],
    request: PageRequest,
    toItem: (row: Row) => Item,
  ): Page<Item> {
    const limit = this.limitOf(request);
    const pageRows = rows.slice(0, limit) as PositionedRow[];
    const last = pageRows[pageRows.length - 1];
    return {
      data: pageRows.map(({ [SORT_KEY_COLUMN]: _sortKey, [ID_COLUMN]: _id, ...row }) =>
        toItem(row as Row),
      ),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ sortKey: String(last[SORT_KEY_COLUMN]), id: String(last[ID_COLUMN]) })
          : null,
    };
  }

  /** One page of the entities a TypeORM query builder selects (no joins that repeat rows). */
  async pageOf<Entity extends ObjectLiteral>(
    builder: SelectQueryBuilder<Entity>,
    request: PageRequest,
  ): Promise<Page<Entity>> {
    const { order } = this;
    let parameters = 0;
    const after = this.after(request.cursor, (value) => {
      const name = `keyset${parameters++}`;
      builder.setParameter(name, value);
      return `:${name}`;
    });
    if (after) builder.andWhere(after);
    builder
      .addSelect(`${order.sortKey}::text`, SORT_KEY_COLUMN)
      .addSelect(`${order.id}::text`, ID_COLUMN)
      .orderBy(order.sortKey, order.direction)
      .addOrderBy(order.id, order.direction)
      .limit(this.limitOf(request) + 1);
    const { entities, raw } = await builder.getRawAndEntities<PositionedRow>();
    // Without joins, TypeORM builds one entity per raw row, in the same order.
    return this.page(
      raw.map((row, index) => ({ ...row, [ENTITY]: entities[index] })),
      request,
      (row) => row[ENTITY],
    );
  }
}

/** A page with its items turned into something else (a view). */
export function mapPage<T, U>(page: Page<T>, toItem: (item: T) => U): Page<U> {
  return { data: page.data.map(toItem), nextCursor: page.nextCursor };
}
