import { HttpStatus, ValidationError } from '@nestjs/common';
import { AppException, FieldError } from './app.exception';

function flatten(errors: ValidationError[], parentPath = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parentPath ? `${parentPath}.${error.property}` : error.property;
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
