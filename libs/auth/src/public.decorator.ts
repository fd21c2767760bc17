import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_ROUTE = 'switchboard:public-route';

/** Opts a route out of the global auth guard (health, webhooks, sign-in). Everything else needs a caller. */
export const Public = () => SetMetadata(IS_PUBLIC_ROUTE, true);
