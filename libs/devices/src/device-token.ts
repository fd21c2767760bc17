import { PrefixedSecret } from '@app/core';

/** Device tokens: `sbd_…`, shown by their first 12 characters. */
export const DEVICE_TOKEN = new PrefixedSecret('sbd_', 12);
