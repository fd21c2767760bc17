import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, QueryFailedError, Repository } from 'typeorm';
import {
  ConflictAppException,
  NotFoundAppException,
  Page,
  PaginationQueryDto,
  requireE164,
  isUuid,
  Keyset,
  mapPage,
} from '@app/core';
import { Contact } from './contact.entity';
import { ContactView, CreateContactDto, UpdateContactDto } from './contact.dto';

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: string }).code === UNIQUE_VIOLATION
  );
}

const BY_NAME = new Keyset({
  sortKey: 'contact.name',
  sortKeyType: 'text',
  id: 'contact.id',
  idType: 'uuid',
  direction: 'ASC',
});

/** An account's address book: one contact per phone; names show in conversations. */
@Injectable()
export class ContactsService {
  constructor(@InjectRepository(Contact) private readonly contacts: Repository<Contact>) {}

  /** By name, then id. */
  async list(accountId: string, query: PaginationQueryDto): Promise<Page<ContactView>> {
    const page = await BY_NAME.pageOf(
      this.contacts
        .createQueryBuilder('contact')
        .where('contact.account_id = :accountId', { accountId }),
      query,
    );
    return mapPage(page, ContactView.from);
  }

  /** Contact names by phone, for the phones that have a contact. */
  async namesOf(accountId: string, phones: readonly string[]): Promise<Map<string, string>> {
    if (phones.length === 0) return new Map();
    const contacts = await this.contacts.find({
      select: { phone: true, name: true },
      where: { accountId, phone: In([...phones]) },
    });
    return new Map(contacts.map((contact) => [contact.phone, contact.name]));
  }

  async create(accountId: string, request: CreateContactDto): Promise<ContactView> {
    const phone = requireE164(request.phone, 'phone');
    try {
      const [row] = await this.contacts.query(
        `INSERT INTO contacts (account_id, phone, name) VALUES ($1, $2, $3) RETURNING id`,
        [accountId, phone, request.name.trim()],
      );
      return ContactView.from(await this.findOrFail(accountId, row.id));
    } catch (error) {
      if (isUniqueViolation(error)) throw this.duplicate(phone);
      throw error;
    }
  }

  async update(
    accountId: string,
    contactId: string,
    request: UpdateContactDto,
  ): Promise<ContactView> {
    const contact = await this.findOrFail(accountId, contactId);
    if (request.phone !== undefined) contact.phone = requireE164(request.phone, 'phone');
    if (request.name !== undefined) contact.name = request.name.trim();
    try {
      await this.contacts.update(
        { id: contact.id, accountId },
        { phone: contact.phone, name: contact.name, updatedAt: () => 'now()' },
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw this.duplicate(contact.phone);
      throw error;
    }
    return ContactView.from(await this.findOrFail(accountId, contactId));
  }

  async remove(accountId: string, contactId: string): Promise<void> {
    const result = isUuid(contactId)
      ? await this.contacts.delete({ id: contactId, accountId })
      : { affected: 0 };
    if (!result.affected) throw new NotFoundAppException('CONTACT_NOT_FOUND', 'No such contact.');
  }

  private async findOrFail(accountId: string, contactId: string): Promise<Contact> {
    const contact = isUuid(contactId)
      ? await this.contacts.findOneBy({ id: contactId, accountId })
      : null;
    if (!contact) throw new NotFoundAppException('CONTACT_NOT_FOUND', 'No such contact.');
    return contact;
  }

  private duplicate(phone: string): ConflictAppException {
    return new ConflictAppException(
      'CONTACT_EXISTS',
      `A contact with phone ${phone} already exists.`,
    );
  }
}
