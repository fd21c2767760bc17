import { ApiProperty } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidationError,
  validateSync,
} from 'class-validator';
import { FieldError, UnprocessableAppException, toE164 } from '@app/core';

/** Dual-SIM phones, plus an eSIM or two; anything beyond is not a phone. */
export const MAX_SIM_CARDS = 4;
/** Android numbers SIMs by slot, from 1 (the SMS Gateway for Android app: slot index + 1). */
export const MAX_SIM_NUMBER = 8;
const MAX_CARRIER_NAME_LENGTH = 64;

export const SimCardErrorCode = {
  /** A phone (or the mobile API on its behalf) reported SIM cards that cannot be right. */
  Invalid: 'INVALID_SIM_CARDS',
  /** A message names a SIM that its device (or every device of the account) does not have. */
  NotAvailable: 'SIM_NOT_AVAILABLE',
} as const;

/** A SIM card as a phone reports it: the hello and status frames, the mobile API. */
export class SimCardReport {
  @IsInt()
  @Min(0)
  @Max(MAX_SIM_NUMBER - 1)
  slotIndex: number;

  @IsInt()
  @Min(1)
  @Max(MAX_SIM_NUMBER)
  simNumber: number;

  /** E.164; anything else is stored as unknown (Android often knows no number, or a local one). */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phoneNumber?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  carrierName?: string | null;

  /** Accepted (the app sends it) but never stored: routing has no use for the card's serial. */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  iccid?: string | null;
}

/** A SIM card as stored on the device (`devices.sim_cards`). */
export interface SimCard {
  slotIndex: number;
  simNumber: number;
  phoneNumber: string | null;
  carrierName: string | null;
}

export class SimCardView {
  @ApiProperty({ example: 0, description: 'The SIM slot, from 0.' })
  slotIndex: number;

  @ApiProperty({ example: 1, description: 'What `simNumber` of POST /messages names it by.' })
  simNumber: number;

  @ApiProperty({ example: '+14155550100', nullable: true, type: String })
  phoneNumber: string | null;

  @ApiProperty({ example: 'T-Mobile', nullable: true, type: String })
  carrierName: string | null;

  @ApiProperty({ example: 3, description: 'Messages given to this SIM in the last 60 s.' })
  sentLastMinute: number;
}

// Carrier names come from the network; control characters would only garble logs and screens.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

function carrierNameOf(input: string | null | undefined): string | null {
  const name = input?.replace(CONTROL_CHARACTERS, '').trim().slice(0, MAX_CARRIER_NAME_LENGTH);
  return name ? name : null;
}

/** Validated reports as stored: one per SIM number (the first wins), in SIM number order. */
export function simCardsFrom(reports: readonly SimCardReport[]): SimCard[] {
  const cards = new Map<number, SimCard>();
  for (const report of reports.slice(0, MAX_SIM_CARDS)) {
    if (cards.has(report.simNumber)) continue;
    cards.set(report.simNumber, {
      slotIndex: report.slotIndex,
      simNumber: report.simNumber,
      phoneNumber: report.phoneNumber ? toE164(report.phoneNumber) : null,
      carrierName: carrierNameOf(report.carrierName),
    });
  }
  return [...cards.values()].sort((a, b) => a.simNumber - b.simNumber);
}

function flatten(errors: ValidationError[], parent: string): FieldError[] {
  return errors.flatMap((error) => {
    const field = `${parent}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      code: SimCardErrorCode.Invalid,
      message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Checks SIM cards reported by a caller that did not validate them (the mobile API): at most
 * MAX_SIM_CARDS, each valid, no SIM number twice. Throws 422 INVALID_SIM_CARDS naming each fault.
 */
export function parseSimCards(input: unknown): SimCard[] {
  const fail = (errors: FieldError[]): never => {
    throw new UnprocessableAppException(
      SimCardErrorCode.Invalid,
      errors.map((error) => `${error.field}: ${error.message}`).join('; '),
      errors,
    );
  };
  if (!Array.isArray(input)) {
    return fail([
      { field: 'simCards', code: SimCardErrorCode.Invalid, message: 'simCards must be an array' },
    ]);
  }
  if (input.length > MAX_SIM_CARDS) {
    return fail([
      {
        field: 'simCards',
        code: SimCardErrorCode.Invalid,
        message: `a phone reports at most ${MAX_SIM_CARDS} SIM cards`,
      },
    ]);
  }
  const errors: FieldError[] = [];
  const seen = new Set<number>();
  const reports = input.map((item: unknown, index) => {
    const field = `simCards[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      errors.push({ field, code: SimCardErrorCode.Invalid, message: 'must be an object' });
      return null;
    }
    const report = plainToInstance(SimCardReport, item);
    errors.push(...flatten(validateSync(report, { forbidUnknownValues: true }), field));
    if (seen.has(report.simNumber)) {
      errors.push({
        field: `${field}.simNumber`,
        code: SimCardErrorCode.Invalid,
        message: `SIM number ${report.simNumber} is reported twice`,
      });
    }
    seen.add(report.simNumber);
    return report;
  });
  if (errors.length > 0) return fail(errors);
  return simCardsFrom(reports as SimCardReport[]);
}
