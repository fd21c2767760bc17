import { Injectable } from '@nestjs/common';
import { RouteName, SmsRoute } from './sms-route';

/**
 * The routes this process can use. The carrier (Twilio, or the console stand-in) is registered by
 * messaging itself; other libs register theirs (the devices lib adds `device`) without messaging
 * importing them.
 */
@Injectable()
export class RouteRegistry {
  private readonly routes = new Map<RouteName, SmsRoute>();
  private carrierRoute?: SmsRoute;

  register(route: SmsRoute): void {
    this.routes.set(route.name, route);
  }

  registerCarrier(route: SmsRoute): void {
    this.carrierRoute = route;
    this.register(route);
  }

  get(name: RouteName): SmsRoute | undefined {
    return this.routes.get(name);
  }

  /** Twilio when configured, else the console provider. */
  carrier(): SmsRoute {
    if (!this.carrierRoute) throw new Error('No carrier route registered');
    return this.carrierRoute;
  }
}
