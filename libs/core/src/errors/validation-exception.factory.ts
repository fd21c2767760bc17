import { HttpStatus, ValidationError } from '@nestjs/common';
import { AppException, FieldError } from './app.exception';

/**
 * A field's path as a client writes it: `messages[1].body`, the way the services name a field
 * of a batch item too (class-validator names array items like properties: `messages.1`).
 */
function fieldPath(parentPath: string, property: string): string {
  if (!parentPath) return property;
  return /^\d+$/.test(property) ? `${parentPath}[${property}]` : `${parentPath}.${property}`;
}

function flatten(errors: ValidationError[], parentPath = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = fieldPath(parentPath, error.property);
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      field,
      code: constraint,
      message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Used by the global ValidationPipe: every failed field, in one 400 problem. */
export function validationExceptionFactory(errors: ValidationError[]): AppException {
  const fieldErrors = flatten(errors);
  return new AppException(
    HttpStatus.BAD_REQUEST,
    'VALIDATION_FAILED',
    fieldErrors.map((error) => error.message).join('; ') || 'The request is invalid.',
    { errors: fieldErrors },
  );
}
