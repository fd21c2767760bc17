// The validation fast path must say "passes" exactly when class-validator finds no error: never
// when it would find one (that would let bad input through), and for valid input (else it saves
// nothing). Checked here against class-validator itself, over every DTO and device frame of the
// project, with values drawn at random (seeded) from what each property's rules are about.
// The fast path reads class-validator's rule metadata: a class-validator upgrade that changes it
// (a renamed field, a new rule type) fails here, where the fast path would otherwise pass bad
// input or quietly save nothing (docs/performance.md#optimizations-that-lean-on-a-dependencys-internals).
import { randomUUID } from 'node:crypto';
import { Type, plainToInstance } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import {
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
  ValidationTypes,
  ValidatorOptions,
  getMetadataStorage,
  validate,
  validateSync,
} from 'class-validator';
import { ValidationFastPath } from '../libs/core/src/validation/validation-fast-path';
import * as authDtos from '../apps/api/src/auth/auth.dto';
import * as accountDtos from '../apps/api/src/accounts/account.dto';
import * as apiKeyDtos from '../apps/api/src/accounts/api-key.dto';
import * as conversationDtos from '../apps/api/src/conversations/conversation-message.dto';
import * as contactDtos from '../libs/conversations/src/contact.dto';
import * as listMessageDtos from '../libs/messaging/src/outbound/list-messages.query';
import * as sendMessageDtos from '../libs/messaging/src/outbound/send-message.dto';
import * as groupDtos from '../libs/groups/src/group.dto';
import * as paginationDtos from '../libs/core/src/pagination/cursor-pagination';
import * as deviceDtos from '../libs/devices/src/dto/device-requests.dto';
import * as deviceFrames from '../libs/devices/src/protocol/device-frames';

type Class = new () => object;
/** Any class, as class-validator and class-transformer look their metadata up by. */
type AnyClass = abstract new (...args: never[]) => object;

const storage = getMetadataStorage();
const rulesOf = (target: AnyClass) =>
  storage.getTargetValidationMetadatas(target, '', false, false, undefined);

/** No project DTO uses `each` on a plain rule yet; this one does, and nests itself. */
class TaggedNote {
  @IsString({ each: true })
  @MaxLength(5, { each: true })
  tags: string[];

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => TaggedNote)
  replies?: TaggedNote[];
}

const dtoClasses: Class[] = [
  { TaggedNote },
  authDtos,
  accountDtos,
  apiKeyDtos,
  conversationDtos,
  contactDtos,
  listMessageDtos,
  sendMessageDtos,
  groupDtos,
  paginationDtos,
  deviceDtos,
  deviceFrames,
]
  .flatMap((module) => Object.values(module))
  .filter(
    (value): value is Class => typeof value === 'function' && rulesOf(value as Class).length > 0,
  );

/**
 * The global pipe's options (apps/api), and others class-validator is used with. Under
 * `whitelist` alone class-validator deletes unknown properties and passes: the fast path leaves
 * that to it (it only answers, never changes the object), so there it is only held to never
 * passing what class-validator rejects.
 */
const OPTION_SETS: Array<[string, 'agrees' | 'never passes an error', ValidatorOptions]> = [
  ['api', 'agrees', { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false }],
  ['strict', 'agrees', { whitelist: true, forbidNonWhitelisted: true }],
  ['no whitelist', 'agrees', { forbidUnknownValues: false }],
  ['stripping (device frames)', 'never passes an error', { whitelist: true }],
];

function seededRandom(seed: number): () => number {
  // mulberry32: small, fast and good enough to pick test values reproducibly.
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GENERIC_VALUES: unknown[] = [
  undefined,
  null,
  '',
  'a',
  ' ',
  '+14155550123',
  '+1 415 555 0123',
  '2026-11-21T18:00:00Z',
  '2026-11-21',
  'not a date',
  randomUUID(),
  'auto',
  'twilio',
  '123456',
  '12345',
  'user@example.com',
  'abc.DEF_1',
  0,
  1,
  -1,
  1.5,
  true,
  'true',
  [],
  ['a'],
  [1],
  {},
  { a: 1 },
];

/** Values at the edges of a property's own rules: allowed lists, enum members, length bounds. */
function valuesFromRules(target: AnyClass, property: string): unknown[] {
  const values: unknown[] = [];
  for (const rule of rulesOf(target).filter((r) => r.propertyName === property)) {
    for (const constraint of rule.constraints ?? []) {
      if (Array.isArray(constraint)) values.push(...constraint);
      else if (typeof constraint === 'number') {
        values.push(
          constraint,
          constraint - 1,
          constraint + 1,
          'x'.repeat(Math.max(0, constraint)),
        );
        values.push('x'.repeat(constraint + 1));
      } else if (constraint && typeof constraint === 'object' && !(constraint instanceof RegExp)) {
        values.push(...Object.values(constraint)); // an enum
      }
    }
  }
  return values;
}

/** Of all the candidate values of a property, those its own rules accept (by class-validator). */
function acceptedValues(target: AnyClass, property: string, candidates: unknown[]): unknown[] {
  return candidates.filter((value) => {
    const instance = plainToInstance(target as Class, { [property]: value });
    return !validateSync(instance).some((error) => error.property === property);
  });
}

class PlainObjectMaker {
  private readonly candidates = new Map<string, { all: unknown[]; accepted: unknown[] }>();

  constructor(private readonly random: () => number) {}

  private candidatesFor(target: AnyClass, property: string) {
    const key = `${target.name}.${property}`;
    let candidates = this.candidates.get(key);
    if (!candidates) {
      const all = [...valuesFromRules(target, property), ...GENERIC_VALUES];
      candidates = { all, accepted: acceptedValues(target, property, all) };
      this.candidates.set(key, candidates);
    }
    return candidates;
  }

  pick<T>(values: T[]): T {
    return values[Math.floor(this.random() * values.length)];
  }

  make(target: AnyClass, depth = 0): Record<string, unknown> {
    const plain: Record<string, unknown> = {};
    const properties = Object.keys(storage.groupByPropertyName(rulesOf(target)));
    for (const property of properties) {
      const value = this.valueFor(target, property, depth);
      if (value !== undefined) plain[property] = value;
    }
    if (this.random() < 0.05) plain.unexpected = 'x';
    return plain;
  }

  private valueFor(target: AnyClass, property: string, depth: number): unknown {
    const nested = rulesOf(target).some(
      (rule) => rule.propertyName === property && rule.type === ValidationTypes.NESTED_VALIDATION,
    );
    const nestedType = defaultMetadataStorage.findTypeMetadata(target, property)?.typeFunction() as
      | AnyClass
      | undefined;
    if (nested && nestedType && depth < 2 && this.random() < 0.8) {
      const item = () => this.make(nestedType, depth + 1);
      if (this.random() < 0.5) return item();
      return Array.from({ length: Math.floor(this.random() * 4) }, item);
    }
    // Mostly values the property accepts, so that whole valid objects are common.
    const { all, accepted } = this.candidatesFor(target, property);
    return this.pick(accepted.length > 0 && this.random() < 0.85 ? accepted : all);
  }
}

describe('ValidationFastPath', () => {
  it('finds the project DTOs and device frames to check', () => {
    const names = dtoClasses.map((dto) => dto.name);
    expect(names).toEqual(expect.arrayContaining(['SendMessageDto', 'SendBatchDto', 'HelloFrame']));
    expect(dtoClasses.length).toBeGreaterThan(20);
  });

  it.each(OPTION_SETS)(
    'answers as class-validator does (%s options): it %s',
    async (_name, expectation, options) => {
      const fastPath = new ValidationFastPath();
      const maker = new PlainObjectMaker(seededRandom(20261121));
      const disagreements: string[] = [];
      const validByClass = new Map<string, number>();
      for (const dto of dtoClasses) {
        for (let sample = 0; sample < 300; sample++) {
          const plain = maker.make(dto);
          const instance = plainToInstance(dto, plain) as object;
          const fast = fastPath.passes(instance, options);
          const errors = await validate(instance, options);
          const disagrees =
            expectation === 'agrees' ? fast !== (errors.length === 0) : fast && errors.length > 0;
          if (disagrees) {
            disagreements.push(`${dto.name} ${JSON.stringify(plain)}: fast path says ${fast}`);
          }
          if (errors.length === 0)
            validByClass.set(dto.name, (validByClass.get(dto.name) ?? 0) + 1);
        }
      }
      expect(disagreements).toEqual([]);
      // Both answers were exercised where it matters most: the send endpoints.
      expect(validByClass.get('SendMessageDto')).toBeGreaterThan(5);
      expect(validByClass.get('SendBatchDto')).toBeGreaterThan(5);
      expect(validByClass.get('TaggedNote')).toBeGreaterThan(5);
    },
  );

  it('leaves to class-validator what it does not mirror', () => {
    const fastPath = new ValidationFastPath();
    const valid = plainToInstance(sendMessageDtos.SendMessageDto, {
      to: '+14155550123',
      body: 'hi',
    });
    expect(fastPath.passes(valid, {})).toBe(true);
    expect(fastPath.passes(valid, { groups: ['admin'] })).toBe(false);
    expect(fastPath.passes(valid, { skipMissingProperties: true })).toBe(false);
    expect(fastPath.passes(Object.assign(Object.create(null), { to: 'x' }), {})).toBe(false);
  });

  it('rejects an unknown property under whitelist, and a class without rules when told to', () => {
    const fastPath = new ValidationFastPath();
    const extra = plainToInstance(sendMessageDtos.SendMessageDto, {
      to: '+14155550123',
      body: 'hi',
      price: 1,
    });
    expect(fastPath.passes(extra, {})).toBe(true);
    expect(fastPath.passes(extra, { whitelist: true })).toBe(false);
    class WithoutRules {}
    expect(fastPath.passes(new WithoutRules(), { forbidUnknownValues: false })).toBe(true);
    expect(fastPath.passes(new WithoutRules(), {})).toBe(false);
  });
});
