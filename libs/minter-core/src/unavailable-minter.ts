import { LakegateError, type Cloud } from '@lakegate/contracts';
import type { CredentialMinter } from './minter.port.js';

/** A minter for a cloud this build cannot mint for yet: every order fails with a clear reason. */
export function unavailableMinter(cloud: Cloud, reason: string): CredentialMinter {
  return {
    capabilities: { cloud, minDurationSeconds: 900, maxDurationSeconds: 3600, defaultDurationSeconds: 3600, revocable: false },
    mint: async () => {
      throw new LakegateError('FAILED_PRECONDITION', reason);
    },
  };
}
