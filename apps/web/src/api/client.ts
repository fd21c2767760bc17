/**
 * The typed API client: paths, parameters and bodies come from schema.d.ts (`npm run api:types`),
 * so a change of the API that breaks the app breaks `npm run typecheck`. Every call carries the
 * in-memory access token; a 401 refreshes the session by cookie once and retries; any other
 * failure becomes an ApiError (code, detail, field errors, Retry-After), thrown, so that
 * TanStack Query and forms see it as an error.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import { ApiError, apiErrorOf, networkError } from './problem';
import type { paths } from './schema';
import { WEB_CLIENT_HEADERS, accessToken, refreshSession } from './session';

/** Requests kept (cloned before sending) so that one can be sent again after a refresh. */
const unsent = new Map<string, Request>();

const AUTH_PATHS = /^\/api\/v1\/auth\//;

const auth: Middleware = {
  onRequest({ request, id, schemaPath }) {
    if (AUTH_PATHS.test(schemaPath)) {
      for (const [name, value] of Object.entries(WEB_CLIENT_HEADERS)) {
        request.headers.set(name, value);
      }
      return request;
    }
    const token = accessToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    unsent.set(id, request.clone());
    return request;
  },
  async onResponse({ response, id, schemaPath }) {
    const original = unsent.get(id);
    unsent.delete(id);
    let answer = response;
    if (answer.status === 401 && original && !AUTH_PATHS.test(schemaPath)) {
      const session = await refreshSession();
      if (session) {
        original.headers.set('Authorization', `Bearer ${session.accessToken}`);
        answer = await fetch(original).catch(() => {
          throw networkError();
        });
      }
    }
    if (!answer.ok) throw await apiErrorOf(answer);
    return answer;
  },
  onError({ error, id }) {
    unsent.delete(id);
    return error instanceof ApiError ? error : networkError();
  },
};

export const api = createClient<paths>({
  baseUrl: window.location.origin,
  credentials: 'same-origin',
});
api.use(auth);
