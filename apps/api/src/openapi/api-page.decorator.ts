import { Type, applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';

/** Documents a cursor-paginated answer `{ data: T[], nextCursor }`. */
export function ApiPage(item: Type<unknown>) {
  return applyDecorators(
    ApiExtraModels(item),
    ApiOkResponse({
      schema: {
        type: 'object',
        properties: {
          data: { type: 'array', items: { $ref: getSchemaPath(item) } },
          nextCursor: {
            type: 'string',
            nullable: true,
            example: 'WyIyMDI2LTExLTIxVDEwOjAwOjAwLjAwMFoiLCI2ZjFjIl0',
            description: 'Pass as ?cursor= for the next page; null on the last page.',
          },
        },
      },
    }),
  );
}
