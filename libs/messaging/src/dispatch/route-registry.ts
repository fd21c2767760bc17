import { Inject, Injectable } from '@nestjs/common';
import { RouteName, SmsRoute } from './sms-route';

/** The carrier route of this process (Twilio, or the console stand-in), which the registry takes. */
export const CARRIER_ROUTE = Symbol('CARRIER_ROUTE');

/**
 * The routes this process can use: the carrier, provided by messaging, and the ones other libs
 * register (the devices lib adds `device`) without messaging importing them.
 */
@Injectable()
export class RouteRegistry {
  private readonly routes = new Map<RouteName, SmsRoute>();

  constructor(@Inject(CARRIER_ROUTE) private readonly carrierRoute: SmsRoute) {
    this.register(carrierRoute);
  }

  register(route: SmsRoute): void {
    this.routes.set(route.name, route);
  }

  get(name: RouteName): SmsRoute | undefined {
    return this.routes.get(name);
  }

  /** Twilio when configured, else the console provider. */
  carrier(): SmsRoute {
    return this.carrierRoute;
  }
}
