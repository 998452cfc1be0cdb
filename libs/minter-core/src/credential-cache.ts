import type { MintResult } from './minter.port.js';

export interface CacheSettings {
  /** Most entries kept; the least recently used goes first. */
  maxEntries: number;
  /** A cached credential is handed out only while at least this much of its life remains. */
  minRemainingMs: number;
  clock?: () => number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  upstreamCalls: number;
  size: number;
}

interface Entry {
  result: MintResult;
  /** When the entry stops being served: half the credential's remaining life at insert time. */
  staleAt: number;
  credentialName: string;
  credentialRevision: number;
}

/**
 * The credential cache shared across principals. Key = exact scope + storage credential (with its
 * revision) + access level, built by the caller. Entries live at most half their credential's
 * remaining life; concurrent misses for one key share one upstream call; failures are never cached.
 */
export class CredentialCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<MintResult>>();
  private readonly latestRevision = new Map<string, number>();
  private readonly clock: () => number;
  readonly stats: CacheStats = { hits: 0, misses: 0, upstreamCalls: 0, size: 0 };

  constructor(private readonly settings: CacheSettings) {
    this.clock = settings.clock ?? Date.now;
  }

  /** Returns a fresh cached result or runs `mint` once for all concurrent callers of the key. */
  async getOrMint(key: string, credential: { name: string; revision: number }, mint: () => Promise<MintResult>): Promise<{ result: MintResult; cacheHit: boolean }> {
    this.noteRevision(credential.name, credential.revision);
    const now = this.clock();
    const entry = this.entries.get(key);
    if (entry && entry.staleAt > now && entry.result.credential.expiresAt - now >= this.settings.minRemainingMs) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.stats.hits++;
      return { result: entry.result, cacheHit: true };
    }
    if (entry) this.entries.delete(key);
    const pending = this.inflight.get(key);
    if (pending) {
      this.stats.hits++;
      return { result: await pending, cacheHit: true };
    }
    this.stats.misses++;
    this.stats.upstreamCalls++;
    const call = mint();
    this.inflight.set(key, call);
    try {
      const result = await call;
      this.store(key, credential, result);
      return { result, cacheHit: false };
    } finally {
      this.inflight.delete(key);
    }
  }

  /** Drops every entry minted with an older revision of the named storage credential. */
  noteRevision(name: string, revision: number): void {
    const known = this.latestRevision.get(name);
    if (known !== undefined && known >= revision) return;
    this.latestRevision.set(name, revision);
    if (known === undefined) return;
    for (const [key, entry] of this.entries) {
      if (entry.credentialName === name && entry.credentialRevision < revision) this.entries.delete(key);
    }
    this.stats.size = this.entries.size;
  }

  private store(key: string, credential: { name: string; revision: number }, result: MintResult): void {
    if ((this.latestRevision.get(credential.name) ?? 0) > credential.revision) return;
    const now = this.clock();
    const remaining = result.credential.expiresAt - now;
    if (remaining <= this.settings.minRemainingMs) return;
    this.entries.set(key, { result, staleAt: now + remaining / 2, credentialName: credential.name, credentialRevision: credential.revision });
    while (this.entries.size > this.settings.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.stats.size = this.entries.size;
  }
}
