import {
  ValidationArguments,
  ValidationTypes,
  ValidatorConstraintInterface,
  ValidatorOptions,
  getMetadataStorage,
} from 'class-validator';

/**
 * A yes-or-no answer to "would class-validator find no error in this object?", computed from the
 * same decorators and the same constraint functions, without building the `ValidationError` tree
 * class-validator builds for every property of every object, failing or not (three arrays and an
 * error object per property, the rule lists filtered and grouped again per object).
 *
 * It only ever says yes when class-validator would; whenever it says no, or cannot tell, the
 * caller runs class-validator itself, which names what is wrong. So the rules stay declared once
 * (the DTOs' decorators) and every error answer is class-validator's own. The batch endpoint is
 * why it exists: 1,000 nested messages per request made validation the largest share of the API's
 * CPU per message.
 *
 * What it mirrors of class-validator 0.14–0.15 (ValidationExecutor): unknown properties under
 * `whitelist`, classes without rules under `forbidUnknownValues`, `@ValidateIf`/`@IsOptional`
 * conditions, `each`, and nested objects, arrays, Sets and Maps. Anything else (groups, the skip*
 * options, promises, async constraints) answers "cannot tell".
 */
export class ValidationFastPath {
  private readonly checks = new Map<ClassConstructor, ObjectCheck>();

  /** True only when class-validator's `validate(object, options)` would report no error. */
  passes(object: object, options: ValidatorOptions): boolean {
    if (!isPlainCheckable(options)) return false;
    return this.passesObject(object, {
      whitelist: options.whitelist === true,
      forbidUnknownValues: options.forbidUnknownValues !== false,
    });
  }

  private passesObject(object: object, options: CheckOptions): boolean {
    // An object without a constructor (null prototype) is class-validator's to judge.
    if (typeof object.constructor !== 'function') return false;
    const check = this.checkFor(object.constructor as ClassConstructor);
    return check !== UNCHECKABLE && check(object, options);
  }

  private checkFor(target: ClassConstructor): ObjectCheck {
    let check = this.checks.get(target);
    if (!check) {
      check = this.compile(target);
      this.checks.set(target, check);
    }
    return check;
  }

  private compile(target: ClassConstructor): ObjectCheck {
    const storage = getMetadataStorage();
    // Exactly the rules class-validator applies without groups (inherited ones included).
    const rules = storage.getTargetValidationMetadatas(target, '', false, false, undefined);
    if (rules.length === 0) return (_object, options) => !options.forbidUnknownValues;
    const properties: PropertyCheck[] = [];
    for (const [property, propertyRules] of Object.entries(storage.groupByPropertyName(rules))) {
      const conditions: Condition[] = [];
      const constraints: ConstraintCheck[] = [];
      let nested = false;
      for (const rule of propertyRules) {
        switch (rule.type) {
          case ValidationTypes.WHITELIST:
            break;
          case ValidationTypes.CONDITIONAL_VALIDATION:
            conditions.push(rule.constraints[0] as Condition);
            break;
          case ValidationTypes.NESTED_VALIDATION:
            nested = true;
            break;
          case ValidationTypes.IS_DEFINED:
          case ValidationTypes.CUSTOM_VALIDATION:
            for (const constraint of storage.getTargetValidatorConstraints(rule.constraintCls)) {
              if (constraint.async) return UNCHECKABLE;
              constraints.push({
                validator: constraint.instance,
                each: rule.each === true,
                validateIf: rule.validateIf,
                constraints: rule.constraints,
              });
            }
            break;
          default:
            return UNCHECKABLE; // PROMISE_VALIDATION, or a type this version does not know.
        }
      }
      properties.push({ property, conditions, constraints, nested });
    }
    const known = new Set(properties.map(({ property }) => property));
    const targetName = target.name;

    return (object, options) => {
      if (options.whitelist) {
        for (const key in object) {
          if (Object.hasOwn(object, key) && !known.has(key)) return false;
        }
      }
      for (const { property, conditions, constraints, nested } of properties) {
        const value = (object as Record<string, unknown>)[property];
        if (!conditions.every((condition) => condition(object, value))) continue;
        const args: ValidationArguments = {
          targetName,
          property,
          object,
          value,
          constraints: [],
        };
        for (const constraint of constraints) {
          if (constraint.validateIf && !constraint.validateIf(object, value)) continue;
          args.constraints = constraint.constraints;
          const values = constraint.each ? asArray(value) : undefined;
          const valid = values
            ? values.every((item) => constraint.validator.validate(item, args) === true)
            : constraint.validator.validate(value, args) === true;
          if (!valid) return false;
        }
        if (nested && !this.passesNested(value, options)) return false;
      }
      return true;
    };
  }

  /** What `@ValidateNested` accepts: nothing, an object, or arrays, Sets and Maps of those. */
  private passesNested(value: unknown, options: CheckOptions): boolean {
    if (value === undefined) return true;
    const items = asArray(value);
    if (items) return items.every((item) => this.passesNested(item, options));
    return value instanceof Object && this.passesObject(value, options);
  }
}

/** What class-validator looks rules up by: an object's constructor. */
type ClassConstructor = abstract new (...args: never[]) => object;

interface CheckOptions {
  whitelist: boolean;
  forbidUnknownValues: boolean;
}

type ObjectCheck = (object: object, options: CheckOptions) => boolean;
type Condition = (object: object, value: unknown) => boolean;

interface ConstraintCheck {
  validator: ValidatorConstraintInterface;
  each: boolean;
  validateIf?: (object: object, value: unknown) => boolean;
  constraints: unknown[];
}

interface PropertyCheck {
  property: string;
  conditions: Condition[];
  constraints: ConstraintCheck[];
  nested: boolean;
}

const UNCHECKABLE: ObjectCheck = () => false;

/** Options under which pass-or-fail is decided as mirrored here. */
function isPlainCheckable(options: ValidatorOptions): boolean {
  return (
    !options.groups?.length &&
    !options.always &&
    !options.strictGroups &&
    !options.skipMissingProperties &&
    !options.skipNullProperties &&
    !options.skipUndefinedProperties
  );
}

/** class-validator treats arrays, Sets and Maps (their values) alike for `each` and nesting. */
function asArray(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (value instanceof Set || value instanceof Map) return [...value.values()];
  return undefined;
}
