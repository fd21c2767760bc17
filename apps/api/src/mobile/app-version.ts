/** The app's User-Agent is `me.capcom.smsgateway/<version>` (its GatewayApi). */
const APP_USER_AGENT = /^me\.capcom\.smsgateway\/([0-9A-Za-z][0-9A-Za-z.+_-]{0,31})(?:\s|$)/;

/** The SMS Gateway app's version from a User-Agent, or null for any other client. */
export function appVersionOf(userAgent: string | undefined): string | null {
  return APP_USER_AGENT.exec(userAgent ?? '')?.[1] ?? null;
}
