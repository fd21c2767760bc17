import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppException, NotFoundAppException } from '@app/core';
import { MessageRepository, RequestListFilter } from '../model/message.repository';
import { MessageStatus } from '../model/message-status';
import { MessageView } from '../model/message.view';
import { RequestProgress, requestProgressOf } from '../model/request-progress';
import { MessagesService } from './messages.service';

/** One text to several recipients, as the SMS Gateway for Android client API asks for it. */
export interface ExternalRequestInput {
  /** The client's id for the request; one is made up when it gives none. */
  externalId?: string;
  recipients: string[];
  body: string;
  deviceId?: string;
  /** The phone's SIM to send from (1-based); only phones reporting it are candidates. */
  simNumber?: number;
  scheduledAt?: string;
  expiresAt?: string;
  /**
   * The request as the client wrote it: a retry is replayed when it repeats it (by default, when
   * it repeats this input).
   */
  asWritten?: unknown;
}

/** A request and its messages (one per recipient), oldest first. */
export interface ExternalRequest {
  id: string;
  progress: RequestProgress;
  messages: MessageView[];
}

export interface ExternalRequestPage {
  requests: ExternalRequest[];
  /** How many requests match the filter, beyond this page. */
  total: number;
}

const CANCELABLE: readonly MessageStatus[] = [MessageStatus.Scheduled, MessageStatus.Queued];

/**
 * Requests to several recipients under one id (see Message.externalId): each is one Switchboard
 * message per recipient, accepted together through the ordinary batch path (quotas, destination
 * policy, sender numbers and idempotency all apply), read and canceled together. Every lookup is
 * the caller's account's: another account's id is simply not found.
 */
@Injectable()
export class ExternalRequestsService {
  constructor(
    private readonly messages: MessagesService,
    private readonly repository: MessageRepository,
  ) {}

  async send(accountId: string, input: ExternalRequestInput): Promise<ExternalRequest> {
    const externalId = input.externalId ?? randomUUID();
    const result = await this.messages.sendBatch(
      accountId,
      {
        messages: input.recipients.map((to) => ({
          to,
          body: input.body,
          deviceId: input.deviceId,
          simNumber: input.simNumber,
          scheduledAt: input.scheduledAt,
          expiresAt: input.expiresAt,
        })),
      },
      { externalId, fingerprintOf: input.asWritten },
    );
    // A retry of a request already accepted: its messages as they are now.
    if (result.replayed) return this.get(accountId, externalId);
    const views = (result.body as { data: MessageView[] }).data;
    return {
      id: externalId,
      progress: requestProgressOf(views.map((view) => view.status)),
      messages: views,
    };
  }

  async get(accountId: string, requestId: string): Promise<ExternalRequest> {
    const [found] = await this.requestsOf(accountId, [requestId]);
    if (!found) throw new NotFoundAppException('MESSAGE_NOT_FOUND', 'No such message.');
    return found;
  }

  async list(
    accountId: string,
    filter: RequestListFilter,
    page: { limit: number; offset: number; oldestFirst: boolean },
  ): Promise<ExternalRequestPage> {
    const { requestIds, total } = await this.repository.listRequests(accountId, filter, page);
    return { requests: await this.requestsOf(accountId, requestIds), total };
  }

  /**
   * Cancels every message of the request that has not started sending; 409
   * MESSAGE_NOT_CANCELABLE when none is left to cancel.
   */
  async cancel(accountId: string, requestId: string): Promise<ExternalRequest> {
    const request = await this.get(accountId, requestId);
    const waiting = request.messages.filter((message) => CANCELABLE.includes(message.status));
    let canceled = 0;
    for (const message of waiting) {
      try {
        await this.messages.cancel(accountId, message.id);
        canceled += 1;
      } catch (error) {
        // The worker took it meanwhile: it goes out, the others may still be canceled.
        if (!(error instanceof AppException && error.code === 'MESSAGE_NOT_CANCELABLE'))
          throw error;
      }
    }
    if (canceled === 0) {
      throw new AppException(
        409,
        'MESSAGE_NOT_CANCELABLE',
        `The message is ${request.progress}; only messages not yet sending can be canceled.`,
      );
    }
    return this.get(accountId, requestId);
  }

  /** The requests with these ids that exist, in the order of the ids. */
  private async requestsOf(accountId: string, requestIds: string[]): Promise<ExternalRequest[]> {
    const messages = await this.repository.findRequests(accountId, requestIds);
    const byRequest = new Map<string, MessageView[]>();
    for (const message of messages) {
      const id = message.externalId ?? message.id;
      const views = byRequest.get(id) ?? [];
      views.push(MessageView.from(message));
      byRequest.set(id, views);
    }
    return requestIds.flatMap((id) => {
      const views = byRequest.get(id);
      if (!views) return [];
      return [
        { id, progress: requestProgressOf(views.map((view) => view.status)), messages: views },
      ];
    });
  }
}
