import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AuthenticatedAccount, CurrentAccount } from '@app/auth';
import { PaginationQueryDto } from '@app/core';
import {
  ContactView,
  ContactsService,
  CreateContactDto,
  UpdateContactDto,
} from '@app/conversations';
import { ApiPage } from '../openapi/api-page.decorator';

@ApiTags('contacts')
@Controller('contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get()
  @ApiOperation({ summary: 'Contacts, by name' })
  @ApiPage(ContactView)
  list(@CurrentAccount() caller: AuthenticatedAccount, @Query() query: PaginationQueryDto) {
    return this.contacts.list(caller.accountId, query);
  }

  @Post()
  @ApiOperation({ summary: 'Add a contact (one per phone)' })
  @ApiCreatedResponse({ type: ContactView })
  @ApiConflictResponse({ description: 'CONTACT_EXISTS' })
  create(@CurrentAccount() caller: AuthenticatedAccount, @Body() request: CreateContactDto) {
    return this.contacts.create(caller.accountId, request);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a contact or change its phone' })
  @ApiOkResponse({ type: ContactView })
  @ApiNotFoundResponse({ description: 'CONTACT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'CONTACT_EXISTS' })
  update(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id') id: string,
    @Body() request: UpdateContactDto,
  ) {
    return this.contacts.update(caller.accountId, id, request);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a contact' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'CONTACT_NOT_FOUND' })
  remove(@CurrentAccount() caller: AuthenticatedAccount, @Param('id') id: string) {
    return this.contacts.remove(caller.accountId, id);
  }
}
