import { Type, plainToInstance } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  ValidationError,
  validateSync,
} from 'class-validator';
import { MAX_JSON_DEPTH, findJsonFault, replaceNulCharactersIn } from '@app/core';
import { MAX_SIM_CARDS, MAX_SIM_NUMBER, SimCardReport } from '../sim-cards';

/**
 * The frames of `/ws/devices` (docs/device-protocol.md): JSON text frames with a
 * `type`. Fields a frame does not define are ignored, so that newer apps can talk to this server.
 */

export const MAX_FRAME_BYTES = 64 * 1024;

/** Close codes (RFC 6455 private range 4000–4999, plus 1009 for an oversized frame). */
export const DeviceCloseCode = {
  /** No token, a bad token, or no `auth` frame within 5 s. */
  Unauthenticated: 4001,
  /** The same device connected again; the newer connection wins. */
  Replaced: 4002,
  /** The device was deleted (its token revoked). */
  Revoked: 4003,
  /** More frames a second than allowed, or a phone that does not read what it is sent. */
  PolicyViolation: 1008,
  /** Too many bytes of frames waiting to be processed. */
  TooManyFrames: 4008,
  /** The server is shutting down; reconnect (to another instance). */
  GoingAway: 1001,
  /** The server could not register the connection (e.g. Redis is unreachable); reconnect later. */
  InternalError: 1011,
} as const;

export class DeviceStatus {
  @IsInt()
  @Min(0)
  @Max(100)
  battery: number;

  @IsBoolean()
  charging: boolean;

  /** Android's signal level, 0 (none) to 4 (full). */
  @IsInt()
  @Min(0)
  @Max(4)
  signal: number;
}

export class DeviceDescription {
  @IsString()
  @Length(1, 100)
  model: string;

  @IsString()
  @Length(1, 32)
  androidVersion: string;

  @IsString()
  @Length(1, 32)
  appVersion: string;

  /** E.164; anything that is not a valid number is ignored. */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phoneNumber?: string;
}

export class AuthFrame {
  type: 'auth';

  @IsString()
  @Length(1, 256)
  token: string;
}

export class HelloFrame {
  type: 'hello';

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => DeviceDescription)
  device: DeviceDescription;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => DeviceStatus)
  status: DeviceStatus;

  /** The phone's SIM cards; absent leaves those last reported as they were. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SIM_CARDS)
  @ValidateNested({ each: true })
  @Type(() => SimCardReport)
  simCards?: SimCardReport[];
}

export class StatusFrame extends DeviceStatus {
  type: 'status';

  /** As in hello: a SIM swapped while connected. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SIM_CARDS)
  @ValidateNested({ each: true })
  @Type(() => SimCardReport)
  simCards?: SimCardReport[];
}

export class AckFrame {
  type: 'ack';

  @IsUUID()
  messageId: string;
}

export const RESULT_STATUSES = ['sent', 'delivered', 'failed'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

export class ResultFrame {
  type: 'result';

  @IsUUID()
  messageId: string;

  @IsIn(RESULT_STATUSES)
  status: ResultStatus;

  /** Why it failed, in the phone's words. */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  error?: string;

  /** A machine-readable reason, e.g. Android's RESULT_ERROR_NO_SERVICE. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'errorCode must be 1-64 letters, digits or _.:-' })
  errorCode?: string;
}

export class InboundFrame {
  type: 'inbound';

  /** The phone's own id of this SMS: a replay with the same id is stored once. */
  @IsString()
  @Length(1, 128)
  id: string;

  @IsString()
  @Length(1, 32)
  from: string;

  @IsString()
  @MaxLength(10_000)
  body: string;

  @IsDateString({ strict: true })
  receivedAt: string;

  /** The SIM it arrived on (1-based, a `simNumber` of the phone's SIM cards), when known. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SIM_NUMBER)
  simNumber?: number;
}

export type DeviceFrame =
  | AuthFrame
  | HelloFrame
  | StatusFrame
  | AckFrame
  | ResultFrame
  | InboundFrame;

const FRAME_CLASSES: Record<DeviceFrame['type'], new () => DeviceFrame> = {
  auth: AuthFrame,
  hello: HelloFrame,
  status: StatusFrame,
  ack: AckFrame,
  result: ResultFrame,
  inbound: InboundFrame,
};

export interface FrameFieldError {
  field: string;
  code: string;
  message: string;
}

/** Why a frame was refused; sent back as an `error` frame. */
export interface FrameProblem {
  code: 'MALFORMED_FRAME' | 'UNKNOWN_FRAME_TYPE' | 'INVALID_FRAME';
  message: string;
  errors?: FrameFieldError[];
  /** The `type` of the refused frame, when it had one. */
  frameType?: string;
}

export type ParsedFrame = { ok: true; frame: DeviceFrame } | { ok: false; problem: FrameProblem };

function flatten(errors: ValidationError[], parent = ''): FrameFieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([code, message]) => ({
      field,
      code,
      message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Parses and validates one text frame; never throws. */
export function parseDeviceFrame(text: string): ParsedFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: { code: 'MALFORMED_FRAME', message: 'The frame is not JSON.' } };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return {
      ok: false,
      problem: { code: 'MALFORMED_FRAME', message: 'A frame is a JSON object with a "type".' },
    };
  }
  const fault = findJsonFault(json);
  if (fault === 'too-deep') {
    // class-transformer and class-validator would run out of stack on it.
    return {
      ok: false,
      problem: {
        code: 'MALFORMED_FRAME',
        message: `A frame nests objects or arrays at most ${MAX_JSON_DEPTH} levels deep.`,
      },
    };
  }
  // A phone reports what the carrier gave it; PostgreSQL stores no NUL character.
  if (fault === 'nul-character') replaceNulCharactersIn(json);
  const type = (json as { type?: unknown }).type;
  const frameClass =
    typeof type === 'string' && Object.hasOwn(FRAME_CLASSES, type)
      ? FRAME_CLASSES[type as DeviceFrame['type']]
      : undefined;
  if (!frameClass) {
    return {
      ok: false,
      problem: {
        code: 'UNKNOWN_FRAME_TYPE',
        message: `Unknown frame type; expected one of ${Object.keys(FRAME_CLASSES).join(', ')}.`,
        frameType: typeof type === 'string' ? type.slice(0, 64) : undefined,
      },
    };
  }
  const frame = plainToInstance(frameClass, json);
  const errors = flatten(validateSync(frame, { whitelist: true, forbidUnknownValues: true }));
  if (errors.length > 0) {
    return {
      ok: false,
      problem: {
        code: 'INVALID_FRAME',
        message: errors.map((error) => error.message).join('; '),
        errors,
        frameType: type as string,
      },
    };
  }
  (frame as { type: string }).type = type as string;
  return { ok: true, frame };
}

// ---- server → device ----

export interface WelcomeFrame {
  type: 'welcome';
  deviceId: string;
  heartbeatMs: number;
  sendRatePerMinute: number;
}

export interface SendFrame {
  type: 'send';
  messageId: string;
  to: string;
  body: string;
  /** The SIM to send from (1-based, a `simNumber` the phone reported); absent: its default SIM. */
  simNumber?: number;
}

export interface InboundAckFrame {
  type: 'inbound.ack';
  id: string;
}

export interface ErrorFrame {
  type: 'error';
  code: string;
  message: string;
  errors?: FrameFieldError[];
  /** The message or inbound id the error is about, when there is one. */
  ref?: string;
}

export type ServerFrame = WelcomeFrame | SendFrame | InboundAckFrame | ErrorFrame;
