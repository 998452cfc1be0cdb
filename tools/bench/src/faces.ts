/**
 * What the cache-hit scenarios of the Lake Formation, Delta Sharing and Iceberg faces need that the
 * catalog seed cannot hold (an access key, a share and its recipient), created through the admin API
 * of the running system, and the requests each face is sent.
 */
import type { AccessKey } from './sigv4.js';
import { BENCH_PRINCIPAL, BENCH_REGION, BENCH_TABLES, glueTableArn, splitFullName } from './seed.js';

export const LF_VEND_OPERATION = 'GetTemporaryGlueTableCredentials';
export const LF_VEND_PATH = `/${LF_VEND_OPERATION}`;
/** The SigV4 service name the Lake Formation face verifies. */
export const LF_SIGNING_SERVICE = 'lakeformation';
const UC = '/api/2.1/unity-catalog';

export interface FaceTargets {
  lakeFormation: { accessKey: AccessKey; region: string; tableArn: string };
  deltaSharing: { bearerToken: string; share: string; schema: string; table: string };
  iceberg: { prefix: string; namespace: string; table: string };
}

/** `GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials` (Iceberg REST: prefix = catalog, namespace = schema). */
export const icebergCredentialsPath = (t: FaceTargets['iceberg']): string =>
  `/v1/${encodeURIComponent(t.prefix)}/namespaces/${encodeURIComponent(t.namespace)}/tables/${encodeURIComponent(t.table)}/credentials`;

/** `POST /delta-sharing/shares/{share}/schemas/{schema}/tables/{table}/temporary-table-credentials`. */
export const deltaSharingCredentialsPath = (t: FaceTargets['deltaSharing']): string =>
  `/delta-sharing/shares/${encodeURIComponent(t.share)}/schemas/${encodeURIComponent(t.schema)}/tables/${encodeURIComponent(t.table)}/temporary-table-credentials`;

/** The `GetTemporaryGlueTableCredentials` body (restJson1): the table, read-only. */
export const lakeFormationBody = (t: FaceTargets['lakeFormation']): string => JSON.stringify({ TableArn: t.tableArn, Permissions: ['SELECT'] });

/** Names of what one run creates; unique per run, so that runs against the same system do not collide. */
export function faceObjectNames(runId: string): { share: string; recipient: string } {
  if (!/^[A-Za-z0-9_]+$/.test(runId)) throw new Error(`run id '${runId}' must be letters, digits and _`);
  return { share: `bench_share_${runId}`, recipient: `bench_recipient_${runId}` };
}

async function call<T>(url: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(new URL(path, url), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/**
 * Creates, on the running system: an access key of the bench principal (with its own token, as a
 * user would), and as the metastore admin a share holding the Delta Sharing table, a recipient, and
 * SELECT on the share for it. The Iceberg and Lake Formation tables are granted in the seed.
 */
export async function prepareFaces(url: string, token: string, adminToken: string, runId: string): Promise<FaceTargets> {
  const { share, recipient } = faceObjectNames(runId);
  const key = await call<Partial<AccessKey>>(url, token, 'POST', `/api/v1/principals/${encodeURIComponent(BENCH_PRINCIPAL)}/access-keys`);
  if (!key.accessKeyId || !key.secretAccessKey) throw new Error('the access key answer lacks accessKeyId or secretAccessKey');
  const shared = splitFullName(BENCH_TABLES.deltaSharing);
  await call(url, adminToken, 'POST', `${UC}/shares`, { name: share });
  await call(url, adminToken, 'PATCH', `${UC}/shares/${share}`, { updates: [{ action: 'ADD', data_object: { name: BENCH_TABLES.deltaSharing, data_object_type: 'TABLE' } }] });
  const created = await call<{ profile?: { bearerToken?: string } }>(url, adminToken, 'POST', `${UC}/recipients`, { name: recipient, authentication_type: 'TOKEN' });
  const bearerToken = created.profile?.bearerToken;
  if (!bearerToken) throw new Error('the recipient answer lacks profile.bearerToken');
  await call(url, adminToken, 'PATCH', `${UC}/shares/${share}/permissions`, { changes: [{ principal: recipient, add: ['SELECT'] }] });
  const iceberg = splitFullName(BENCH_TABLES.iceberg);
  return {
    lakeFormation: { accessKey: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }, region: BENCH_REGION, tableArn: glueTableArn(BENCH_TABLES.lakeFormation) },
    // The share exposes the table as <schema>.<table> (its default `shared_as`).
    deltaSharing: { bearerToken, share, schema: shared.schema, table: shared.table },
    iceberg: { prefix: iceberg.catalog, namespace: iceberg.schema, table: iceberg.table },
  };
}
