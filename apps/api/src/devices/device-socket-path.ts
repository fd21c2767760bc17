/** Where phones speaking Switchboard's own protocol open their WebSocket (docs/device-protocol.md). */
export const DEVICE_SOCKET_PATH = '/ws/devices';
