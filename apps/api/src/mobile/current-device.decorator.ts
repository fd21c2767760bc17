import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AuthenticatedDevice } from '@app/devices';
import { AUTHENTICATED_DEVICE, RequestWithDevice } from './mobile-device.guard';

/** The phone whose token `MobileDeviceGuard` accepted. */
export const CurrentDevice = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedDevice => {
    const device = context.switchToHttp().getRequest<RequestWithDevice>()[AUTHENTICATED_DEVICE];
    if (!device) throw new Error('CurrentDevice used on a route without MobileDeviceGuard');
    return device;
  },
);
