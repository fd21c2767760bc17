import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '@app/core';
import { MAX_BODY_LENGTH } from '@app/messaging';
import { INVITE_CODE_MAX_LENGTH, normaliseInviteCode } from './group-invite-code';

export const GROUP_NAME_PATTERN = /^[a-z0-9._-]{3,32}$/;

export const GROUP_VISIBILITIES = ['public', 'private'] as const;
export type GroupVisibility = (typeof GROUP_VISIBILITIES)[number];

/** Names are case-insensitive: stored and compared lower-case. */
export const normaliseGroupName = (value: unknown) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

export class CreateGroupDto {
  @ApiProperty({
    example: 'book-club',
    description:
      '3–32 characters: letters, digits, ".", "_", "-". Case-insensitive (stored lower-case).',
  })
  @Transform(({ value }) => normaliseGroupName(value))
  @IsString()
  @Matches(GROUP_NAME_PATTERN, {
    message: 'name must be 3–32 characters of letters, digits, ".", "_" or "-"',
  })
  name: string;

  @ApiPropertyOptional({
    enum: GROUP_VISIBILITIES,
    default: 'public',
    description:
      'A private group is invisible to non-members (not found by search or by name) and is joined with its invite code.',
  })
  @IsOptional()
  @IsIn(GROUP_VISIBILITIES)
  visibility?: GroupVisibility;
}

export class JoinGroupDto {
  @ApiPropertyOptional({
    example: '7k2q9xwm4tbc8rzd',
    description:
      "A private group's invite code (case-insensitive), from one of its members. Public groups need none.",
  })
  @IsOptional()
  @Transform(({ value }) => normaliseInviteCode(value))
  @IsString()
  @MaxLength(INVITE_CODE_MAX_LENGTH)
  inviteCode?: string;
}

export class InviteCodeView {
  @ApiProperty({
    example: '7k2q9xwm4tbc8rzd',
    description: 'Give it to whoever should join; rotating it makes this one stop working.',
  })
  inviteCode: string;
}

export class SearchGroupsQuery extends PaginationQueryDto {
  @ApiPropertyOptional({ example: 'book', description: 'Part of the name (case-insensitive).' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  search?: string;
}

export class GroupPostDto {
  @ApiProperty({ example: 'Meeting moved to 7pm', minLength: 1, maxLength: MAX_BODY_LENGTH })
  @IsString()
  @Length(1, MAX_BODY_LENGTH)
  body: string;
}

/** A search result: the name of a public group, all that a search tells of it. */
export class GroupListingView {
  @ApiProperty({ example: 'book-club' })
  name: string;
}

export class GroupMemberView {
  @ApiProperty({
    example: 'Alice',
    description: 'Members are shown by name; never by phone number.',
  })
  name: string;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  joinedAt: string;
}

export class GroupDetailView {
  @ApiProperty({ example: 'book-club' })
  name: string;

  @ApiProperty({ enum: GROUP_VISIBILITIES, example: 'public' })
  visibility: GroupVisibility;

  @ApiProperty({ example: 3 })
  memberCount: number;

  @ApiPropertyOptional({
    example: '2026-11-21T10:00:00.000Z',
    description: 'Shown to members only.',
  })
  createdAt?: string;

  @ApiPropertyOptional({
    type: [GroupMemberView],
    description: 'Shown to members only, in the order they joined.',
  })
  members?: GroupMemberView[];
}

export class MembershipView {
  @ApiProperty({ example: 'book-club' })
  group: string;

  @ApiProperty({
    example: '+12015550100',
    description: 'Your number for this group: text it to message everyone, LEAVE to leave.',
  })
  number: string;
}

/** One of the caller's groups, with their own number for it. */
export class MyGroupView {
  @ApiProperty({ example: 'book-club' })
  name: string;

  @ApiProperty({ enum: GROUP_VISIBILITIES, example: 'public' })
  visibility: GroupVisibility;

  @ApiProperty({
    example: '+12015550100',
    description: 'Your number for this group: text it to message everyone, LEAVE to leave.',
  })
  number: string;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  joinedAt: string;
}

export class GroupMessageView {
  @ApiProperty({ example: '6f1c1a8e-3b7e-4c1e-9a55-2f6f5b0f6a11' })
  id: string;

  @ApiProperty({ example: 'Alice' })
  sender: string;

  @ApiProperty({
    example: false,
    description: 'Whether you posted it (two members may share a name).',
  })
  mine: boolean;

  @ApiProperty({ example: 'hi' })
  body: string;

  @ApiProperty({ enum: ['sms', 'app'], example: 'sms' })
  via: 'sms' | 'app';

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  createdAt: string;
}
