/** The `health` of a `system:ping` (the app's HealthResponse as Gson writes it). */
export interface HealthReport {
  version?: unknown;
  status?: unknown;
  checks?: Record<string, { observedValue?: unknown } | undefined>;
}

export type DeviceNetwork = 'wifi' | 'ethernet' | 'cellular' | 'none';

export interface PingStatus {
  battery?: number;
  charging?: boolean;
  network?: DeviceNetwork;
  appVersion?: string;
}

// battery:charging is a set of flags: 1 charging, 2 on AC, 4 on USB.
const CHARGING_FLAG = 1;
// connection:transport is a set of flags: 1 unknown, 2 cellular, 4 Wi-Fi, 8 Ethernet; the
// first that is set names the network (Android routes over Wi-Fi or Ethernet when it has them).
const TRANSPORTS: Array<[number, DeviceNetwork]> = [
  [4, 'wifi'],
  [8, 'ethernet'],
  [2, 'cellular'],
];

/**
 * What a ping says of the phone, read leniently: a check the app left out (or a future one it
 * renamed) leaves that field as it was rather than refusing the ping.
 */
export function statusOfHealth(health: HealthReport | undefined): PingStatus {
  const checks = health?.checks ?? {};
  const observed = (name: string): number | undefined => {
    const value = checks[name]?.observedValue;
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };
  const status: PingStatus = {};
  const level = observed('battery:level');
  if (level !== undefined) status.battery = Math.max(0, Math.min(100, Math.round(level)));
  const charging = observed('battery:charging');
  if (charging !== undefined) status.charging = (charging & CHARGING_FLAG) === CHARGING_FLAG;
  const connected = observed('connection:status');
  const transport = observed('connection:transport');
  if (connected === 0) status.network = 'none';
  else if (transport !== undefined) {
    const named = TRANSPORTS.find(([flag]) => (transport & flag) === flag);
    if (named) status.network = named[1];
  }
  if (typeof health?.version === 'string' && health.version.length <= 32) {
    status.appVersion = health.version;
  }
  return status;
}
