import { PrefixedSecret } from '@app/core';

/** API keys: `sb_…`, shown by their first 11 characters. */
export const API_KEY_SECRET = new PrefixedSecret('sb_', 11);
