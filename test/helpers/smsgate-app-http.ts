import { EventSource } from 'eventsource';

/** What the SMS Gateway for Android app v1.68.0 sends as its User-Agent (Ktor's UserAgent plugin). */
export const APP_USER_AGENT = 'me.capcom.smsgateway/1.68.0';
export const MOBILE_PATH = '/api/mobile/v1';

/**
 * Raw HTTP calls shaped as the app makes them (paths, headers, JSON as Gson writes it), for tests
 * that check the mobile API against the app's contract. Not a simulator of the app.
 */
export function appCall(
  baseUrl: string,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const all: Record<string, string> = { 'User-Agent': APP_USER_AGENT, ...headers };
  if (token !== null) all.Authorization = `Bearer ${token}`;
  if (body !== undefined) all['Content-Type'] = 'application/json';
  return fetch(`${baseUrl}${MOBILE_PATH}${path}`, {
    method,
    headers: all,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** A `states` map as the app writes it: state name → Gson date (`…SSSXXX`). */
export function gsonNow(): string {
  return new Date().toISOString().replace('Z', '+00:00');
}

/** The app's SSE stream, opened with a standard EventSource client (the `eventsource` package). */
export function openAppEvents(baseUrl: string, token: string): EventSource {
  return new EventSource(`${baseUrl}${MOBILE_PATH}/events`, {
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...init?.headers, Authorization: `Bearer ${token}` },
      }),
  });
}

/** A JSON answer's body (a problem's `code`, a registration's fields…). */
export async function jsonOf<T = { code?: string } & Record<string, unknown>>(
  response: Response,
): Promise<T> {
  return (await response.json()) as T;
}
