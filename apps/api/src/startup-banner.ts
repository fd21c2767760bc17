import { API_PREFIX, DOCS_PATH } from './api-paths';

export interface StartupBanner {
  message: string;
  apiUrl: string;
  docsUrl: string;
  publicBaseUrl?: string;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);
}

/**
 * What `npm start` prints once the API and the worker are ready: where a person at this machine
 * reaches the API (whatever PUBLIC_BASE_URL says, the API listens on PORT here), the public URL
 * too when it is another machine's (a tunnel, a proxy: what Twilio is told), and what to do next.
 */
export function startupBanner(port: number, publicBaseUrl: string): StartupBanner {
  const local = `http://localhost:${port}`;
  const apiUrl = `${local}/${API_PREFIX}`;
  const docsUrl = `${local}/${DOCS_PATH}`;
  const isPublic = !isLoopback(new URL(publicBaseUrl).hostname);
  const publicPart = isPublic ? ` (public URL ${publicBaseUrl})` : '';
  return {
    message:
      `Switchboard is ready: web app ${local}, API ${apiUrl}, docs ${docsUrl}${publicPart}` +
      ' — next: open the web app and sign up with your phone (the code is printed here), or' +
      ' npm run account:create -- --name "Acme" for an API key',
    apiUrl,
    docsUrl,
    ...(isPublic ? { publicBaseUrl } : {}),
  };
}
