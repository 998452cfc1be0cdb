import { randomBytes } from 'node:crypto';
import { CODECS, SUBJECTS, VEND_SCHEMA_VERSION } from '@lakegate/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import { cpuSecondsPer1k, sumTicks, ticksBetween, type CpuMeter } from './cpu.js';
import { deltaSharingCredentialsPath, icebergCredentialsPath, lakeFormationBody, LF_SIGNING_SERVICE, LF_VEND_PATH, type FaceTargets } from './faces.js';
import { runBurst, runHttpLoad, runNatsLoad, type HttpLoad, type LoadStats } from './load.js';
import type { Progress } from './progress.js';
import { SCENARIO, type BenchFace, type ScenarioName, type ScenarioResult } from './results.js';
import { RollingSignature, SIGNATURE_REUSE_MS, signedHeaders } from './sigv4.js';
import { upstreamCallCount } from './system.js';

export const VEND_PATH = '/api/2.1/unity-catalog/temporary-volume-credentials';
export const ECHO_PATH = '/api/v1/bench/echo';
const OPERATION = 'GenerateTemporaryVolumeCredentials';

/** The system under test, however it was started. */
export interface Target {
  url: string;
  natsUrl: string;
  stsUrl?: string;
  token: string;
}

export interface ScenarioSettings {
  connections: number;
  durationSec: number;
  warmupSec: number;
  herdSize: number;
  /** Longest a scenario may leave the system busy afterwards before the next one starts. */
  settleMaxMs: number;
}

export interface VolumeIds {
  hit: string;
  herd: string;
  /** Fresh volumes for warming up the minting path. */
  warm: string[];
  miss: string[];
  denied: string[];
}

/** A measured scenario and the wall-clock window it ran in (for span selection). */
export interface Measured {
  result: ScenarioResult;
  window: { fromMs: number; toMs: number };
}

const vendBody = (volumeId: string) => JSON.stringify({ volume_id: volumeId, operation: 'READ_VOLUME' });

/** One request of a face's cache-hit scenario, ready for a load run of a given length. */
type FaceRequest = Pick<HttpLoad, 'method' | 'path' | 'headers' | 'body'> & { release(): void };

/** A cache-hit scenario of a face other than Unity Catalog: the same request again and again. */
interface FaceHit {
  name: ScenarioName;
  face: BenchFace;
  title: string;
  /** The request for a run of `durationSec` (SigV4 headers are signed for it). */
  request(durationSec: number): Promise<FaceRequest>;
}

/** Headers for fetch: it sets `host` itself (to the same value the signature covers). */
const withoutHost = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'host'));

/** Runs the scenarios of the issue against one system, measuring each the same way. */
export class ScenarioRunner {
  private readonly runId = randomBytes(4).toString('hex');
  private readonly headers: Record<string, string>;
  /** Things worth knowing when reading the numbers, found while running. */
  readonly notes: string[] = [];

  constructor(
    private readonly target: Target,
    private readonly settings: ScenarioSettings,
    private readonly volumes: VolumeIds,
    private readonly nc: NatsConnection,
    private readonly cpu: CpuMeter,
    private readonly progress: Progress,
    private readonly echoPid: number | undefined,
    /** The other faces' targets; without them only the Unity Catalog and NATS faces are measured. */
    private readonly faces?: FaceTargets,
  ) {
    this.headers = { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' };
  }

  /** The cache-hit scenarios of the Lake Formation, Delta Sharing and Iceberg faces (none without their targets). */
  private faceHits(): FaceHit[] {
    const faces = this.faces;
    if (!faces) return [];
    const { url } = this.target;
    const lf = faces.lakeFormation;
    const lfBody = lakeFormationBody(lf);
    const sharingPath = deltaSharingCredentialsPath(faces.deltaSharing);
    const icebergPath = icebergCredentialsPath(faces.iceberg);
    const fixed = (request: Omit<FaceRequest, 'release'>) => () => Promise.resolve({ ...request, release: () => undefined });
    return [
      {
        name: SCENARIO.lfHit,
        face: 'lake-formation',
        title:
          `POST ${LF_VEND_PATH} for ${lf.tableArn}, signed with SigV4 by an access key lakegate issued to the principal ` +
          `(signed once and re-used for up to ${SIGNATURE_REUSE_MS / 60_000} min, so the load generator does not sign on the system's cores), already cached by the warm-up (expects 200).`,
        request: async (durationSec) => {
          const spec = { url, method: 'POST' as const, path: LF_VEND_PATH, headers: { 'content-type': 'application/json' }, body: lfBody, region: lf.region, service: LF_SIGNING_SERVICE, credentials: lf.accessKey };
          // Signed right before the run: one signature covers it, unless it may outlive SIGNATURE_REUSE_MS.
          if (durationSec * 1000 + 30_000 <= SIGNATURE_REUSE_MS) return { method: 'POST', path: LF_VEND_PATH, body: lfBody, headers: await signedHeaders(spec), release: () => undefined };
          const rolling = await RollingSignature.start(spec);
          return { method: 'POST', path: LF_VEND_PATH, body: lfBody, headers: () => rolling.headers, release: () => rolling.stop() };
        },
      },
      {
        name: SCENARIO.sharingHit,
        face: 'delta-sharing',
        title: `POST ${sharingPath} with the recipient's profile bearer token (a share the bench created, SELECT granted to the recipient), already cached by the warm-up (expects 200).`,
        request: fixed({ method: 'POST', path: sharingPath, body: '{}', headers: { authorization: `Bearer ${faces.deltaSharing.bearerToken}`, 'content-type': 'application/json' } }),
      },
      {
        name: SCENARIO.icebergHit,
        face: 'iceberg',
        title: `GET ${icebergPath} (Iceberg REST: prefix = catalog, namespace = schema) with the principal's bearer token, already cached by the warm-up (expects 200).`,
        request: fixed({ method: 'GET', path: icebergPath, headers: { authorization: `Bearer ${this.target.token}` } }),
      },
    ];
  }

  private upstream(): Promise<number | null> {
    return this.target.stsUrl ? upstreamCallCount(this.target.stsUrl) : Promise.resolve(null);
  }

  private natsVendPayload(volumeId: string) {
    return (n: number) =>
      CODECS.vendRequest.encode({
        v: VEND_SCHEMA_VERSION,
        requestId: `bench-${this.runId}-${n}`,
        face: 'nats',
        operation: OPERATION,
        caller: { kind: 'token', token: this.target.token },
        target: { kind: 'volume', volumeId },
        access: 'read',
        source: { userAgent: 'lakegate-bench' },
      });
  }

  private static replyOk(data: Uint8Array): boolean {
    try {
      return (JSON.parse(Buffer.from(data).toString('utf8')) as { ok?: unknown }).ok === true;
    } catch {
      return false;
    }
  }

  /** Every scenario is measured the same way: quiet system → counters → load → quiet system → counters. */
  private async measure(
    spec: Pick<ScenarioResult, 'name' | 'title' | 'face' | 'connections'> & { extraPids?: Record<string, number> },
    run: () => Promise<LoadStats>,
  ): Promise<Measured> {
    const extra = spec.extraPids ?? {};
    this.progress.say(`▶ ${spec.name}: ${spec.title}`);
    if (!(await this.cpu.settle({ maxMs: this.settings.settleMaxMs }))) this.notes.push(`The system was still busy when ${spec.name} started.`);
    const upstream0 = await this.upstream();
    const cpu0 = await this.cpu.read(extra);
    const client0 = process.cpuUsage();
    const fromMs = Date.now();
    const stats = await run();
    const toMs = Date.now();
    const client = process.cpuUsage(client0);
    // Work the scenario left behind (audit indexing) is charged to it.
    if (!(await this.cpu.settle({ maxMs: this.settings.settleMaxMs }))) this.notes.push(`The system was still busy ${this.settings.settleMaxMs / 1000} s after ${spec.name}; its CPU figure misses the rest.`);
    const cpu1 = await this.cpu.read(extra);
    const upstream1 = await this.upstream();
    const requests = stats.ok + stats.errors;
    const used = ticksBetween(cpu0, cpu1);
    // Requests still in flight when a run was cut off were worked on too: divide by what was sent.
    const per1k = (ticks: number) => cpuSecondsPer1k(ticks, this.cpu.ticksPerSecond, stats.sent);
    const result: ScenarioResult = {
      name: spec.name,
      title: spec.title,
      face: spec.face,
      connections: spec.connections,
      requests,
      requestsSent: stats.sent,
      durationSec: stats.elapsedMs / 1000,
      rps: stats.elapsedMs > 0 ? (stats.ok / stats.elapsedMs) * 1000 : 0,
      p50Ms: stats.latency.percentileMs(50),
      p95Ms: stats.latency.percentileMs(95),
      p99Ms: stats.latency.percentileMs(99),
      meanMs: stats.latency.meanMs,
      maxMs: stats.latency.maxMs,
      errors: stats.errors,
      upstreamCalls: upstream0 === null || upstream1 === null ? null : upstream1 - upstream0,
      cpuSecondsPer1k: this.cpu.enabled ? per1k(sumTicks(used)) : null,
      cpuSecondsPer1kByProcess: Object.fromEntries(Object.entries(used).map(([name, ticks]) => [name, per1k(ticks) ?? 0])),
      clientCpuSecondsPer1k: requests > 0 ? ((client.user + client.system) / 1e6 / requests) * 1000 : null,
      rpsToEcho: null,
      p99ToEcho: null,
      statusCounts: stats.statusCounts,
    };
    this.progress.say(
      `  ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${result.errors} errors` +
        (result.upstreamCalls === null ? '' : `, ${result.upstreamCalls} upstream calls`),
    );
    return { result, window: { fromMs, toMs } };
  }

  private http(
    label: string,
    path: string,
    body: HttpLoad['body'],
    expectStatus: number,
    more: { amount?: number; connections?: number; durationSec?: number; method?: 'GET' | 'POST'; headers?: HttpLoad['headers'] } = {},
  ) {
    return runHttpLoad(
      {
        label,
        url: this.target.url,
        path,
        headers: more.headers ?? this.headers,
        ...(body !== undefined ? { body } : {}),
        ...(more.method ? { method: more.method } : {}),
        connections: more.connections ?? this.settings.connections,
        durationSec: more.durationSec ?? this.settings.durationSec,
        expectStatus,
        ...(more.amount !== undefined ? { amount: more.amount } : {}),
      },
      this.progress,
    );
  }

  /** Sends one request until it is answered 200: the services' catalog views may still be catching up with the seed and the admin calls. */
  private async untilOk(label: string, send: () => Promise<Response>): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await send();
      const text = await res.text();
      if (res.ok) return;
      if (Date.now() > deadline) throw new Error(`the warm-up ${label} still fails after 60 s: ${res.status} ${text.slice(0, 500)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * One vend of the hit volume (and of each other face's table) until it succeeds, then
   * `warmupSec` of load on each path the scenarios use (echo only when a responder runs) and one
   * vend of each warm-up volume (the minting path, with its upstream calls).
   */
  async warmUp(paths: { echo: boolean; nats: boolean }): Promise<void> {
    const misses = this.volumes.warm;
    const faces = this.faceHits();
    this.progress.say(
      `▶ warm-up (${this.settings.warmupSec} s each:${paths.echo ? ' echo,' : ''} cache-hit vends${faces.length > 0 ? ` (${['unity-catalog', ...faces.map((f) => f.face)].join(', ')})` : ''}` +
        `${paths.nats ? ', NATS vends' : ''}${misses.length > 0 ? `; ${misses.length} cache-miss vends` : ''})`,
    );
    await this.untilOk('vend', () => fetch(new URL(VEND_PATH, this.target.url), { method: 'POST', headers: this.headers, body: vendBody(this.volumes.hit) }));
    const seconds = { durationSec: this.settings.warmupSec };
    if (paths.echo) await this.http('warm-up echo', ECHO_PATH, vendBody(this.volumes.hit), 200, seconds);
    await this.http('warm-up vend', VEND_PATH, vendBody(this.volumes.hit), 200, seconds);
    for (const hit of faces) {
      // The first request mints (one upstream call) and fills the cache; the rest warm the route.
      const request = await hit.request(this.settings.warmupSec + 60);
      try {
        const current = () => (typeof request.headers === 'function' ? request.headers() : request.headers);
        const body = typeof request.body === 'function' ? request.body() : request.body;
        await this.untilOk(`${hit.face} vend`, () =>
          fetch(new URL(request.path, this.target.url), { method: request.method ?? 'POST', headers: withoutHost(current()), ...(body !== undefined ? { body } : {}) }),
        );
        await this.http(`warm-up ${hit.face}`, request.path, request.body, 200, { ...seconds, headers: request.headers, ...(request.method ? { method: request.method } : {}) });
      } finally {
        request.release();
      }
    }
    if (misses.length > 0) {
      let next = 0;
      const body = () => vendBody(misses[next++ % misses.length] ?? '');
      await this.http('warm-up misses', VEND_PATH, body, 200, { amount: misses.length, connections: Math.min(this.settings.connections, misses.length), durationSec: 30 });
    }
    if (paths.nats) {
      await runNatsLoad(
        {
          label: 'warm-up NATS',
          nc: this.nc,
          subject: SUBJECTS.vend,
          payload: this.natsVendPayload(this.volumes.hit),
          check: ScenarioRunner.replyOk,
          concurrency: this.settings.connections,
          durationSec: this.settings.warmupSec,
        },
        this.progress,
      );
    }
  }

  echo(): Promise<Measured> {
    return this.measure(
      {
        name: SCENARIO.echo,
        title: `POST ${ECHO_PATH} with the vend body: HTTP → edge → NATS request → the bench's echo responder → reply (expects 200).`,
        face: 'http',
        connections: this.settings.connections,
        ...(this.echoPid ? { extraPids: { 'echo-responder': this.echoPid } } : {}),
      },
      () => this.http(SCENARIO.echo, ECHO_PATH, vendBody(this.volumes.hit), 200),
    );
  }

  cacheHit(): Promise<Measured> {
    return this.measure(
      { name: SCENARIO.hit, title: `POST ${VEND_PATH} for the same volume every time, already cached by the warm-up (expects 200).`, face: 'unity-catalog', connections: this.settings.connections },
      () => this.http(SCENARIO.hit, VEND_PATH, vendBody(this.volumes.hit), 200),
    );
  }

  /** The cache-hit scenarios of the other faces behind the edge, in report order (none without their targets). */
  async faceCacheHits(): Promise<Measured[]> {
    const measured: Measured[] = [];
    for (const hit of this.faceHits()) {
      measured.push(
        await this.measure({ name: hit.name, title: hit.title, face: hit.face, connections: this.settings.connections }, async () => {
          const request = await hit.request(this.settings.durationSec);
          try {
            return await this.http(hit.name, request.path, request.body, 200, { headers: request.headers, ...(request.method ? { method: request.method } : {}) });
          } finally {
            request.release();
          }
        }),
      );
    }
    return measured;
  }

  cacheMiss(): Promise<Measured> {
    const pool = this.volumes.miss;
    let next = 0;
    let reused = 0;
    const body = () => {
      if (next >= pool.length) reused++;
      return vendBody(pool[next++ % pool.length] ?? '');
    };
    // autocannon may build a request or two per connection that it never sends: keep a margin.
    const amount = Math.max(1, pool.length - this.settings.connections);
    return this.measure(
      {
        name: SCENARIO.miss,
        title: `POST ${VEND_PATH}, every request for a volume never asked for before, so every one mints upstream (expects 200; up to ${amount} requests).`,
        face: 'unity-catalog',
        connections: Math.min(this.settings.connections, amount),
      },
      async () => {
        const stats = await this.http(SCENARIO.miss, VEND_PATH, body, 200, { amount, connections: Math.min(this.settings.connections, amount) });
        if (reused > 0) this.notes.push(`cache-miss ran out of fresh volumes: ${reused} requests repeated a volume (use a larger --miss-requests seed).`);
        return stats;
      },
    );
  }

  herd(): Promise<Measured> {
    const size = this.settings.herdSize;
    return this.measure(
      {
        name: SCENARIO.herd,
        title: `${size} identical POST ${VEND_PATH} for one never-seen volume, all in flight at once, one connection each (expects 200, and 1 upstream call).`,
        face: 'unity-catalog',
        connections: size,
      },
      () => runBurst({ url: this.target.url, path: VEND_PATH, headers: this.headers, body: vendBody(this.volumes.herd), count: size, expectStatus: 200 }),
    );
  }

  denied(): Promise<Measured> {
    const pool = this.volumes.denied;
    let next = 0;
    return this.measure(
      {
        name: SCENARIO.denied,
        title: `POST ${VEND_PATH} for volumes the principal holds no READ VOLUME on, rotating over ${pool.length} (expects 403; authz audits each denial).`,
        face: 'unity-catalog',
        connections: this.settings.connections,
      },
      () => this.http(SCENARIO.denied, VEND_PATH, () => vendBody(pool[next++ % pool.length] ?? ''), 403),
    );
  }

  natsHit(): Promise<Measured> {
    return this.measure(
      {
        name: SCENARIO.natsHit,
        title: `VendRequest on ${SUBJECTS.vend} straight over NATS (the caller's own token), ${this.settings.connections} in flight, the cached volume (expects ok: true).`,
        face: 'nats',
        connections: this.settings.connections,
      },
      () =>
        runNatsLoad(
          {
            label: SCENARIO.natsHit,
            nc: this.nc,
            subject: SUBJECTS.vend,
            payload: this.natsVendPayload(this.volumes.hit),
            check: ScenarioRunner.replyOk,
            concurrency: this.settings.connections,
            durationSec: this.settings.durationSec,
          },
          this.progress,
        ),
    );
  }
}
