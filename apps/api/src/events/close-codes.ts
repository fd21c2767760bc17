/** `/ws/events` close codes (RFC 6455 private range 4000-4999), documented in README. */

/** No valid credential at connection, or the access token expired: sign in or refresh, reconnect. */
export const CLOSE_UNAUTHENTICATED = 4001;
/** The session or API key of the socket was revoked: a new credential is needed. */
export const CLOSE_CREDENTIAL_REVOKED = 4003;
/** No auth frame within 5 seconds. */
export const CLOSE_AUTH_TIMEOUT = 4008;
/** RFC 6455's registry: the server cannot serve the client now, but may soon. */
export const CLOSE_TRY_AGAIN_LATER = 1013;
