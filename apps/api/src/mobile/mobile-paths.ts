/**
 * Where the server side of the SMS Gateway for Android app lives (docs/android.md). The app is
 * given `<origin>/api/mobile/v1` as its API URL and appends `/device`, `/message`, `/events`, …;
 * the app's client API (what its npm client and integrations call) lives at `/3rdparty/v1`.
 */
export const MOBILE_API_PREFIX = 'api/mobile/v1';
export const CLIENT_API_PREFIX = '3rdparty/v1';
