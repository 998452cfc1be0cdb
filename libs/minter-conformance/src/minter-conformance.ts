import { describe, expect, it } from 'vitest';
import { LakegateError } from '@lakegate/contracts';
import type { CredentialMinter, MintInput } from '@lakegate/minter-core';

export interface MinterConformanceCase {
  /** A minter wired to its cloud's emulator. */
  minter: () => CredentialMinter;
  /** A valid read scope, a valid write scope, and a scope on another cloud's storage. */
  read: () => MintInput;
  write: () => MintInput;
  foreign: () => MintInput;
}

/**
 * The behaviour every cloud's minter shares, run against each one with its own emulator, so the
 * third cloud behaves like the first: sane capabilities, exactly one cloud member in the result, an
 * expiry inside the asked and allowed window, catalog errors (never raw SDK errors) for a scope it
 * cannot serve, and no state leaking between mints.
 */
export function describeMinterConformance(name: string, conformance: () => MinterConformanceCase): void {
  describe(`minter conformance: ${name}`, () => {
    it('declares sane capabilities', () => {
      const { capabilities } = conformance().minter();
      expect(capabilities.minDurationSeconds).toBeGreaterThan(0);
      expect(capabilities.minDurationSeconds).toBeLessThanOrEqual(capabilities.defaultDurationSeconds);
      expect(capabilities.defaultDurationSeconds).toBeLessThanOrEqual(capabilities.maxDurationSeconds);
      expect(['aws', 'azure', 'gcp']).toContain(capabilities.cloud);
    });

    it('mints read and write credentials with one cloud member and an expiry within bounds', async () => {
      const c = conformance();
      const minter = c.minter();
      for (const input of [c.read(), c.write()]) {
        const before = Date.now();
        const { credential } = await minter.mint(input);
        expect(credential.cloud).toBe(minter.capabilities.cloud);
        const members = (['aws', 'azure', 'gcp'] as const).filter((k) => credential[k] !== undefined);
        expect(members).toEqual([minter.capabilities.cloud]);
        expect(credential.expiresAt).toBeGreaterThan(before + 60_000);
        expect(credential.expiresAt).toBeLessThanOrEqual(Date.now() + (Math.max(input.durationSeconds, minter.capabilities.minDurationSeconds) + 300) * 1000);
      }
    });

    it('refuses a scope on another cloud with a catalog error, not a raw SDK error', async () => {
      const c = conformance();
      const error = await c.minter().mint(c.foreign()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(LakegateError);
      expect(['INVALID_ARGUMENT', 'FAILED_PRECONDITION']).toContain((error as LakegateError).code);
    });

    it('keeps scopes apart: a read and a write credential for the same location differ', async () => {
      const c = conformance();
      const minter = c.minter();
      const read = await minter.mint(c.read());
      const write = await minter.mint(c.write());
      const again = await minter.mint(c.read());
      expect(JSON.stringify(read.credential)).not.toBe(JSON.stringify(write.credential));
      expect(again.credential.cloud).toBe(read.credential.cloud);
    });
  });
}

/** Awaits a mint that must fail, and returns its catalog error (a raw error fails the test). */
export async function mintFailure(promise: Promise<unknown>): Promise<LakegateError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LakegateError);
    return error as LakegateError;
  }
  throw new Error('expected the mint to fail');
}
