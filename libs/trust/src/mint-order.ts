import { sign, verify } from 'node:crypto';
import { canonicalJson, LakegateError, type Cloud, type MintOrder, type SignedMintOrder } from '@lakegate/contracts';
import type { SigningKey, VerifyKey } from './keys.js';

/** authz side: signs an order with Ed25519 over its canonical JSON. */
export function signMintOrder(key: SigningKey, order: MintOrder): SignedMintOrder {
  const sig = sign(null, Buffer.from(canonicalJson(order)), key.privateKey).toString('base64url');
  return { order, alg: 'Ed25519', kid: key.kid, sig };
}

export interface OrderVerifierOptions {
  cloud: Cloud;
  keys: readonly VerifyKey[];
  clock?: () => number;
  /** Tolerated clock difference between authz and the minter. */
  maxSkewMs?: number;
}

/**
 * Minter side: refuses orders that are unsigned or signed by an unknown key, expired, issued in the
 * future, meant for another cloud, replayed, or arriving on a reply subject other than the signed one.
 */
export class MintOrderVerifier {
  private readonly seen = new Map<string, number>();
  private readonly clock: () => number;
  private readonly maxSkewMs: number;

  constructor(private readonly options: OrderVerifierOptions) {
    this.clock = options.clock ?? Date.now;
    this.maxSkewMs = options.maxSkewMs ?? 5_000;
  }

  verify(signed: SignedMintOrder, replyTo: string | undefined): MintOrder {
    const { order } = signed;
    const key = this.options.keys.find((k) => k.kid === signed.kid);
    if (!key) throw rejected('it is signed by an unknown key');
    let valid = false;
    try {
      valid = verify(null, Buffer.from(canonicalJson(order)), key.publicKey, Buffer.from(signed.sig, 'base64url'));
    } catch {
      valid = false;
    }
    if (!valid) throw rejected('its signature does not verify');
    const now = this.clock();
    if (order.expiresAt <= now) throw rejected('it has expired');
    if (order.issuedAt > now + this.maxSkewMs) throw rejected('it was issued in the future');
    if (order.cloud !== this.options.cloud) throw rejected(`it is for ${order.cloud}, not ${this.options.cloud}`);
    if (!replyTo || replyTo !== order.replyTo) throw rejected('it arrived with another reply subject than the one signed');
    this.forgetExpired(now);
    if (this.seen.has(order.orderId)) throw rejected('it was already used');
    this.seen.set(order.orderId, order.expiresAt);
    return order;
  }

  private forgetExpired(now: number): void {
    if (this.seen.size < 1024) return;
    for (const [id, expiresAt] of this.seen) if (expiresAt <= now) this.seen.delete(id);
  }
}

const rejected = (why: string) => new LakegateError('ORDER_REJECTED', `Mint order refused: ${why}.`);
