import { ValidationPipe } from '@nestjs/common';
import type { ValidationError, ValidatorOptions } from 'class-validator';
import { ValidationFastPath } from './validation-fast-path';

/**
 * Nest's ValidationPipe, unchanged in what it accepts and in every error it reports, that asks
 * class-validator to validate only what the fast path cannot pass: a valid DTO (the common case,
 * and 1,000 of them in a batch) is accepted without class-validator's error tree.
 */
export class FastPathValidationPipe extends ValidationPipe {
  private readonly fastPath = new ValidationFastPath();

  protected override validate(
    object: object,
    validatorOptions?: ValidatorOptions,
  ): Promise<ValidationError[]> | ValidationError[] {
    if (this.fastPath.passes(object, validatorOptions ?? {})) return [];
    return super.validate(object, validatorOptions);
  }
}
