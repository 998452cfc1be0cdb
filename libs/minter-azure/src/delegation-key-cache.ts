/** A user delegation key as the storage service returns it (structurally the SDK's `UserDelegationKey`). */
export interface DelegationKey {
  readonly signedObjectId: string;
  readonly signedTenantId: string;
  readonly signedStartsOn: Date;
  readonly signedExpiresOn: Date;
  readonly signedService: string;
  readonly signedVersion: string;
  /** The signing secret (base64). Never logged, never leaves the minter. */
  readonly value: string;
}

export interface FetchedKey {
  readonly key: DelegationKey;
  /** The storage service's request id for the key request. */
  readonly requestId?: string;
}

export interface DelegationKeyCacheStats {
  /** Key requests sent upstream. */
  fetches: number;
  /** Answers from a cached key. */
  hits: number;
  /** Callers that waited for a fetch another caller had started. */
  shared: number;
}

/**
 * User delegation keys by identity and account. A key is reused while more than `renewalMarginMs`
 * of its life remains, then fetched again; concurrent callers for one entry share one fetch; a failed
 * fetch is not cached (the next caller tries again).
 */
export class DelegationKeyCache {
  readonly stats: DelegationKeyCacheStats = { fetches: 0, hits: 0, shared: 0 };
  readonly #entries = new Map<string, FetchedKey>();
  readonly #inflight = new Map<string, Promise<FetchedKey>>();
  readonly #renewalMarginMs: number;
  readonly #clock: () => number;
  #generation = 0;

  constructor(options: { renewalMarginMs: number; clock: () => number }) {
    this.#renewalMarginMs = options.renewalMarginMs;
    this.#clock = options.clock;
  }

  /** A key for `cacheKey` with more than the renewal margin left, fetching one when needed. */
  async get(cacheKey: string, fetch: () => Promise<FetchedKey>): Promise<FetchedKey> {
    const cached = this.#entries.get(cacheKey);
    if (cached && cached.key.signedExpiresOn.getTime() - this.#clock() > this.#renewalMarginMs) {
      this.stats.hits++;
      return cached;
    }
    const pending = this.#inflight.get(cacheKey);
    if (pending) {
      this.stats.shared++;
      return pending;
    }
    this.stats.fetches++;
    const generation = this.#generation;
    const call = fetch().then((fetched) => {
      if (generation === this.#generation) this.#entries.set(cacheKey, fetched);
      return fetched;
    });
    this.#inflight.set(cacheKey, call);
    try {
      return await call;
    } finally {
      this.#inflight.delete(cacheKey);
    }
  }

  /** Forgets every key, including those of fetches still under way. */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }
}
