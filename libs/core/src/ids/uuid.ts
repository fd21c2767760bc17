const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a path or body value can be an id at all: checked before it reaches a `uuid` column,
 * where PostgreSQL would refuse it with an error (a 500) instead of finding nothing (a 404).
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
