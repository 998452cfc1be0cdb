export * from './sts-emulator.js';
export { verifySigV4, MAX_CLOCK_SKEW_MS, type ReceivedRequest, type SigV4Result, type StsFault } from './sigv4-verifier.js';
