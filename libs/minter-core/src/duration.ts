import type { MinterCapabilities } from './minter.port.js';

/** requested → default → the cloud API's limits (and a role's own limit when the adapter knows it). */
export function clampDuration(requested: number | undefined, capabilities: MinterCapabilities): number {
  const wanted = requested ?? capabilities.defaultDurationSeconds;
  return Math.min(Math.max(wanted, capabilities.minDurationSeconds), capabilities.maxDurationSeconds);
}
