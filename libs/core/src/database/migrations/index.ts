import { AccountsAndApiKeys1763700000000 } from './1763700000000-accounts-and-api-keys';

/**
 * Every migration, oldest first. Listed by import rather than found by a file glob so that the
 * same list works from TypeScript (tests) and from the compiled output (npm start).
 */
export const ALL_MIGRATIONS = [AccountsAndApiKeys1763700000000];
