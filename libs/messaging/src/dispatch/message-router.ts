import { Injectable } from '@nestjs/common';
import { Message } from '../model/message.entity';
import { RequestedRoute } from '../model/message-status';
import { RouteRegistry } from './route-registry';
import { SendLaterError, SmsRoute } from './sms-route';

// How long a message for a phone waits before looking again when none of the account's is online.
const NO_DEVICE_RETRY_MS = 5000;

/** Chooses the route of one message at dispatch time. */
@Injectable()
export class MessageRouter {
  constructor(private readonly registry: RouteRegistry) {}

  async choose(message: Message): Promise<SmsRoute> {
    const carrier = this.registry.carrier();
    // System messages (sign-in codes) never go through a phone of some account.
    if (message.accountId === null) return carrier;
    const device = this.registry.get('device');
    switch (message.routeRequested) {
      case RequestedRoute.Twilio:
        return carrier;
      case RequestedRoute.Device:
        if (device && (await device.isAvailableFor(message))) return device;
        // Waits for a phone to come online, up to the message's expiry.
        throw new SendLaterError(NO_DEVICE_RETRY_MS);
      case RequestedRoute.Auto:
      default:
        if (device && (await device.isAvailableFor(message))) return device;
        return carrier;
    }
  }
}
