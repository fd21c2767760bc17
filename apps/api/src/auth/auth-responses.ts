/** OpenAPI descriptions shared by the routes that check passwords. */
export const SERVER_BUSY = {
  description:
    'SERVER_BUSY: too many password checks in progress on this server; Retry-After (seconds)',
};

export const FAILED_SIGN_IN_LIMITS = {
  description:
    'RATE_LIMITED, with Retry-After: too many failed codes and passwords from this caller network (10 per 15 minutes, 50 per day), for this phone (20 per 15 minutes, 100 per day, cleared by a success) or from everyone this minute (AUTH_FAILED_SIGN_INS_PER_MINUTE)',
};

export const PASSWORD_TOO_COMMON = {
  description:
    'PASSWORD_TOO_COMMON: the password is one of the 1,000 most common ones (case-insensitive)',
};
