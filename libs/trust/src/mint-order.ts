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
  /** Order ids seen and not yet expired; `expiries` holds them in arrival order for cheap pruning. */
  private readonly seen = new Set<string>();
  private readonly expiries: { id: string; expiresAt: number }[] = [];
  private head = 0;
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
    this.seen.add(order.orderId);
    this.expiries.push({ id: order.orderId, expiresAt: order.expiresAt });
    return order;
  }

  /**
   * Orders arrive roughly in expiry order (authz gives each the same lifetime), so pruning pops from
   * the front: amortised O(1) per order. An order that outlives an earlier one stays until it is reached,
   * which only keeps an id longer than needed, never shorter.
   */
  private forgetExpired(now: number): void {
    while (this.head < this.expiries.length && this.expiries[this.head]!.expiresAt <= now) {
      this.seen.delete(this.expiries[this.head]!.id);
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.expiries.length) {
      this.expiries.splice(0, this.head);
      this.head = 0;
    }
  }
}

const rejected = (why: string) => new LakegateError('ORDER_REJECTED', `Mint order refused: ${why}.`);
