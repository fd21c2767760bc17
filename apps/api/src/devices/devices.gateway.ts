import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from '@app/devices';
import { DeviceSocketHub } from './device-socket-hub';
import { DEVICE_SOCKET_PATH } from './device-socket-path';

/**
 * `/ws/devices`: Android phones (docs/device-protocol.md). A frame over 64 KiB closes
 * the socket with 1009 (the `ws` library enforces maxPayload); everything else is the hub's.
 */
@WebSocketGateway({ path: DEVICE_SOCKET_PATH, maxPayload: MAX_FRAME_BYTES })
export class DevicesGateway implements OnGatewayConnection {
  constructor(private readonly hub: DeviceSocketHub) {}

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    this.hub.accept(socket, request);
  }
}
