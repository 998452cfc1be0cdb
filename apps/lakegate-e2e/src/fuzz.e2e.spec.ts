import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '@lakegate/trust';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startSystem, type RunningSystem } from './system.js';

/** Every HTTP route, with the shape its errors must have. */
const ROUTES: { method: string; path: string; shape: 'uc' | 'ds' | 'iceberg' | 'cloudtrail' | 'lf' | 'glue'; target?: string }[] = [
  { method: 'POST', path: '/GetTemporaryGlueTableCredentials', shape: 'lf' },
  { method: 'POST', path: '/GetTemporaryGluePartitionCredentials', shape: 'lf' },
  { method: 'POST', path: '/GetTemporaryDataLocationCredentials', shape: 'lf' },
  { method: 'POST', path: '/GrantPermissions', shape: 'lf' },
  { method: 'POST', path: '/ListPermissions', shape: 'lf' },
  { method: 'POST', path: '/CreateDataCellsFilter', shape: 'lf' },
  { method: 'POST', path: '/PutDataLakeSettings', shape: 'lf' },
  ...['CreateTable', 'GetTable', 'GetTables', 'UpdateTable', 'CreatePartition', 'BatchCreatePartition', 'GetPartitions', 'CreateDatabase', 'DeleteTable', 'NoSuchOperation'].map((op) => ({
    method: 'POST',
    path: '/',
    shape: 'glue' as const,
    target: `AWSGlue.${op}`,
  })),
  { method: 'POST', path: '/api/2.1/unity-catalog/temporary-volume-credentials', shape: 'uc' },
  { method: 'POST', path: '/api/2.0/unity-catalog/temporary-table-credentials', shape: 'uc' },
  { method: 'POST', path: '/api/2.1/unity-catalog/temporary-path-credentials', shape: 'uc' },
  { method: 'GET', path: '/api/2.1/unity-catalog/volumes/{x}', shape: 'uc' },
  { method: 'GET', path: '/api/2.1/unity-catalog/tables/{x}', shape: 'uc' },
  { method: 'PATCH', path: '/api/2.1/unity-catalog/permissions/{x}/{x}', shape: 'uc' },
  { method: 'GET', path: '/api/2.1/unity-catalog/permissions/{x}/{x}', shape: 'uc' },
  { method: 'PATCH', path: '/api/2.1/unity-catalog/metastores/{x}', shape: 'uc' },
  { method: 'POST', path: '/api/2.1/unity-catalog/shares', shape: 'uc' },
  { method: 'PATCH', path: '/api/2.1/unity-catalog/shares/{x}', shape: 'uc' },
  { method: 'POST', path: '/api/2.1/unity-catalog/recipients', shape: 'uc' },
  { method: 'POST', path: '/api/v1/principals', shape: 'uc' },
  { method: 'POST', path: '/api/v1/principals/{x}/tokens', shape: 'uc' },
  { method: 'PUT', path: '/api/v1/groups/{x}/members/{x}', shape: 'uc' },
  { method: 'POST', path: '/api/v1/audit/lookup-events', shape: 'cloudtrail' },
  { method: 'GET', path: '/delta-sharing/shares', shape: 'ds' },
  { method: 'GET', path: '/delta-sharing/shares/{x}/schemas/{x}/tables', shape: 'ds' },
  { method: 'POST', path: '/delta-sharing/shares/{x}/schemas/{x}/tables/{x}/temporary-table-credentials', shape: 'ds' },
  { method: 'GET', path: '/v1/{x}/namespaces/{x}/tables/{x}/credentials', shape: 'iceberg' },
];

const segment = fc.oneof(
  fc.constantFrom('lakegate_demo.default.landing', 'lakegate_demo.default.trips', 'volume', 'share', 'x', '..', '%2e%2e', 'a%00b', '%', '\u00e9', 'A'.repeat(300)),
  fc.string({ maxLength: 40 }),
);
const glueBody = fc.record(
  {
    DatabaseName: fc.oneof(fc.constantFrom('default', 'nope', ''), fc.string()),
    Name: fc.oneof(fc.constant('trips'), fc.string()),
    TableName: fc.oneof(fc.constant('trips'), fc.string()),
    Expression: fc.oneof(fc.constantFrom("city = 'Paris'", 'city >', "city LIKE '%%%%%%%%%%%'", '((((', 'year = 1'), fc.string()),
    TableInput: fc.record({ Name: fc.string(), StorageDescriptor: fc.record({ Location: fc.oneof(fc.webUrl(), fc.constantFrom('s3://lakegate-demo/tables/trips/x', 's3://lakegate-demo/fuzz', 'gs://x')) }, { requiredKeys: [] }) }, { requiredKeys: [] }),
    PartitionInput: fc.record({ Values: fc.array(fc.string(), { maxLength: 3 }), StorageDescriptor: fc.record({ Location: fc.string() }) }, { requiredKeys: [] }),
    TableArn: fc.oneof(fc.constant('arn:aws:glue:us-east-1:000000000000:table/default/trips'), fc.string()),
    Partition: fc.record({ Values: fc.array(fc.string(), { maxLength: 3 }) }),
    Resource: fc.record({ Table: fc.record({ DatabaseName: fc.string(), Name: fc.string() }), DataCellsFilter: fc.record({ DatabaseName: fc.string(), TableName: fc.string(), Name: fc.string() }) }, { requiredKeys: [] }),
    TableData: fc.record({ TableCatalogId: fc.string(), DatabaseName: fc.string(), TableName: fc.string(), Name: fc.string(), ColumnNames: fc.array(fc.string()) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue(),
  fc.record({ volume_id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), operation: fc.constantFrom('READ_VOLUME', 'WRITE_VOLUME', 'READ', 'PATH_READ', 'x', '') }, { requiredKeys: [] }),
  fc.record({ url: fc.oneof(fc.webUrl(), fc.string(), fc.constantFrom('s3://lakegate-demo/raw/../landing', 's3://lakegate-demo/%2F', 'gs://x', 'abfss://a@b')), operation: fc.constantFrom('PATH_READ', 'PATH_READ_WRITE'), dry_run: fc.boolean() }, { requiredKeys: [] }),
  fc.record({ changes: fc.array(fc.record({ principal: fc.string(), add: fc.array(fc.string()), remove: fc.array(fc.string()) })) }, { requiredKeys: [] }),
  glueBody,
  fc.record({ LookupAttributes: fc.array(fc.record({ AttributeKey: fc.string(), AttributeValue: fc.string() })), MaxResults: fc.integer(), NextToken: fc.string(), StartTime: fc.oneof(fc.string(), fc.double()) }, { requiredKeys: [] }),
);
const rawBody = fc.oneof(fc.constant('{'), fc.constant('[]'), fc.constant('null'), fc.string({ maxLength: 64 }), fc.constant('{"a":' + '['.repeat(2000)));

describe('bad input never gets a 5xx or a hang, and always the face’s own error shape', () => {
  const token = `e2e_${randomBytes(24).toString('base64url')}`;
  let system: RunningSystem;
  let keys: { accessKeyId: string; secretAccessKey: string };
  beforeAll(async () => {
    system = await startSystem({ token });
    // The AWS faces are fuzzed past authentication too: those requests are signed with an admin access key.
    const res = await fetch(`${system.url}/api/v1/principals/admin/access-keys`, { method: 'POST', headers: { authorization: `Bearer ${system.adminToken}` } });
    keys = (await res.json()) as typeof keys;
  });
  const sign = async (url: string, method: string, service: string, headers: Record<string, string>, body: string | undefined) => {
    const u = new URL(url);
    const signer = new SignatureV4({ credentials: keys, region: 'us-east-1', service, sha256: NodeSha256, applyChecksum: false, uriEscapePath: true });
    const signed = await signer.sign({ method, protocol: 'http:', hostname: u.host, path: u.pathname, headers: { ...headers, host: u.host }, ...(body === undefined ? {} : { body }) });
    return Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k, String(v)]));
  };
  afterAll(async () => {
    if (system) {
      expect(await system.interrupt()).toBe(0);
      await removeDir(system.dataDir);
    }
  });

  const checkShape = (shape: string, status: number, json: Record<string, unknown>) => {
    if (status < 400) return;
    if (shape === 'uc') expect(json).toEqual(expect.objectContaining({ error_code: expect.any(String), message: expect.any(String) }));
    if (shape === 'ds') expect(json).toEqual(expect.objectContaining({ errorCode: expect.any(String), message: expect.any(String) }));
    if (shape === 'iceberg') expect(json['error']).toEqual(expect.objectContaining({ type: expect.any(String), code: status }));
    if (shape === 'cloudtrail' || shape === 'lf' || shape === 'glue') expect(json).toEqual(expect.objectContaining({ __type: expect.any(String), Message: expect.any(String) }));
  };

  it('holds for every route under generated paths, bodies, content types and tokens', async () => {
    // Signed calls that got past authentication: proof the AWS faces were fuzzed beyond SigV4.
    const pastAuth = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.array(segment, { minLength: 3, maxLength: 3 }),
        fc.oneof(body.map((b) => ({ raw: false as const, b })), rawBody.map((b) => ({ raw: true as const, b }))),
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/x-amz-json-1.1', 'text/plain', 'application/x-www-form-urlencoded', undefined),
        fc.constantFrom('valid', 'admin', 'none', 'garbage', 'sigv4', 'sigv4'),
        async (route, segments, payload, contentType, auth) => {
          let i = 0;
          const path = route.path.replace(/\{x\}/g, () => encodeURIComponent(segments[i++] ?? 'x'));
          const headers: Record<string, string> = {};
          if (auth === 'valid') headers['authorization'] = `Bearer ${token}`;
          if (auth === 'admin') headers['authorization'] = `Bearer ${system.adminToken}`;
          if (auth === 'garbage') headers['authorization'] = 'Bearer \u0000nope';
          const sendsBody = route.method !== 'GET' && payload.b !== undefined;
          if (sendsBody && contentType) headers['content-type'] = contentType;
          if (route.target) headers['x-amz-target'] = route.target;
          const bodyText = sendsBody ? (payload.raw ? payload.b : JSON.stringify(payload.b)) : undefined;
          const signedHeaders = auth === 'sigv4' && (route.shape === 'lf' || route.shape === 'glue') ? await sign(`${system.url}${path}`, route.method, route.shape === 'glue' ? 'glue' : 'lakeformation', headers, bodyText) : headers;
          let res: Response;
          try {
            res = await fetch(`${system.url}${path}`, {
              method: route.method,
              headers: signedHeaders,
              ...(bodyText === undefined ? {} : { body: bodyText }),
              signal: AbortSignal.timeout(10_000),
            });
          } catch (error) {
            // undici refuses some header values before sending (e.g. NUL): nothing reached the server
            if (String(error).includes('Invalid header value') || String(error).includes('invalid header')) return;
            throw error;
          }
          const text = await res.text();
          expect(res.status, `${route.method} ${path} → ${res.status} ${text.slice(0, 200)}`).toBeLessThan(500);
          // The client normalises dot segments, so the face is the one of the path actually requested.
          const finalPath = new URL(res.url).pathname;
          const shape = finalPath.startsWith('/v1/') ? 'iceberg' : finalPath.startsWith('/delta-sharing/') ? 'ds' : finalPath.startsWith('/api/v1/audit') ? 'cloudtrail' : route.shape === 'lf' || route.shape === 'glue' ? route.shape : 'uc';
          const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          checkShape(shape, res.status, json);
          const authFailures = ['MissingAuthenticationTokenException', 'InvalidSignatureException', 'UnrecognizedClientException', 'IncompleteSignature'];
          if (auth === 'sigv4' && !authFailures.includes(String(json['__type']))) pastAuth.add(`${route.path}${route.target ?? ''}`);
        },
      ),
      { numRuns: 600 },
    );
    expect(pastAuth.size).toBeGreaterThan(5);
  }, 240_000);
});
