import { randomBytes } from 'node:crypto';
import type {
  LakeFormationServiceException} from '@aws-sdk/client-lakeformation';
import {
  AccessDeniedException,
  DeregisterResourceCommand,
  GetDataLakeSettingsCommand,
  GrantPermissionsCommand,
  ListPermissionsCommand,
  ListResourcesCommand,
  PutDataLakeSettingsCommand,
  RegisterResourceCommand,
  RevokePermissionsCommand,
  EntityNotFoundException,
  GetTemporaryDataLocationCredentialsCommand,
  GetTemporaryGluePartitionCredentialsCommand,
  GetTemporaryGlueTableCredentialsCommand,
  InvalidInputException,
  LakeFormationClient,
  OperationTimeoutException,
} from '@aws-sdk/client-lakeformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, lookupEvents, removeDir, startSystem, type RunningSystem } from './system.js';

const TABLE_ARN = 'arn:aws:glue:us-east-1:000000000000:table/default/trips';

describe('Lake Formation face with the real @aws-sdk/client-lakeformation', () => {
  const token = `e2e_${randomBytes(24).toString('base64url')}`;
  let system: RunningSystem;
  let lf: LakeFormationClient;
  let keys: { accessKeyId: string; secretAccessKey: string };

  const client = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, region = 'us-east-1') =>
    new LakeFormationClient({ endpoint: system.url, region, credentials, maxAttempts: 1 });
  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as LakeFormationServiceException;
    }
    throw new Error('expected the call to fail');
  };


  beforeAll(async () => {
    system = await startSystem({ token });
    const res = await fetch(`${system.url}/api/v1/principals/demo/access-keys`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    keys = (await res.json()) as typeof keys;
    expect(keys.accessKeyId).toMatch(/^LKIA[A-Z0-9]{16}$/);
    lf = client(keys);
  });
  afterAll(async () => {
    lf?.destroy();
    if (system) {
      expect(await system.interrupt()).toBe(0);
      await removeDir(system.dataDir);
    }
  });

  it('GetTemporaryGlueTableCredentials: read credentials for the table, expiry in epoch seconds, audit context recorded', async () => {
    const out = await lf.send(
      new GetTemporaryGlueTableCredentialsCommand({
        TableArn: TABLE_ARN,
        Permissions: ['SELECT'],
        DurationSeconds: 900,
        SupportedPermissionTypes: ['COLUMN_PERMISSION'],
        AuditContext: { AdditionalAuditContext: 'etl-job-42' },
        QuerySessionContext: { QueryId: 'q-1', ClusterId: 'c-9' },
      }),
    );
    expect(out.AccessKeyId).toMatch(/^ASIA/);
    expect(out.SessionToken).toBeTruthy();
    expect(out.Expiration).toBeInstanceOf(Date);
    expect(out.Expiration!.getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);
    expect(out.Expiration!.getTime()).toBeLessThan(Date.now() + 16 * 60_000);
    expect(out.VendedS3Path).toEqual(['s3://lakegate-demo/tables/trips']);
    const events = await eventually('the LF audit record', async () => {
      const list = await lookupEvents(system, 'EventName', 'GetTemporaryGlueTableCredentials');
      return list.length > 0 ? list : undefined;
    });
    const record = JSON.parse(events[0]!.CloudTrailEvent) as { userIdentity: Record<string, string>; additionalEventData: { auditContext: unknown } };
    expect(record.userIdentity).toMatchObject({ userName: 'demo', accessKeyId: keys.accessKeyId, authMethod: 'sigv4' });
    expect(record.additionalEventData.auditContext).toEqual({ additionalAuditContext: 'etl-job-42', querySessionContext: { QueryId: 'q-1', ClusterId: 'c-9' } });
    expect(events[0]!.CloudTrailEvent).not.toContain(out.SecretAccessKey!);
  });

  it('GetTemporaryDataLocationCredentials: READWRITE on a registered location with an associated table', async () => {
    const out = await lf.send(new GetTemporaryDataLocationCredentialsCommand({ DataLocations: ['s3://lakegate-demo/tables/trips/year=2026'], CredentialsScope: 'READWRITE', DurationSeconds: 3600 }));
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(out.AccessibleDataLocations).toEqual(['s3://lakegate-demo/tables/trips/year=2026']);
    expect(out.CredentialsScope).toBe('READWRITE');
  });

  it('reaches the client as each exception class of the model', async () => {
    expect(await failure(lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: 'arn:aws:glue:us-east-1:000000000000:table/default/nope' })))).toBeInstanceOf(EntityNotFoundException);
    expect(await failure(lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: 'arn:aws:glue:eu-west-1:000000000000:table/default/trips' })))).toBeInstanceOf(InvalidInputException);
    expect(await failure(lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: 'not-an-arn-at-all-really' })))).toBeInstanceOf(InvalidInputException);
    expect(await failure(lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: TABLE_ARN, DurationSeconds: 60 })))).toBeInstanceOf(InvalidInputException);
    expect(await failure(lf.send(new GetTemporaryGluePartitionCredentialsCommand({ TableArn: TABLE_ARN, Partition: { Values: ['Nantes'] } })))).toBeInstanceOf(EntityNotFoundException);
    expect(await failure(lf.send(new GetTemporaryDataLocationCredentialsCommand({ DataLocations: ['s3://unregistered-bucket/x'] })))).toBeInstanceOf(InvalidInputException);
    expect(await failure(lf.send(new GetTemporaryDataLocationCredentialsCommand({ DataLocations: ['s3://lakegate-demo/raw'] })))).toBeInstanceOf(InvalidInputException);
  });

  it('answers a principal without SELECT with AccessDeniedException', async () => {
    const admin = { authorization: `Bearer ${system.adminToken}`, 'content-type': 'application/json' };
    expect((await fetch(`${system.url}/api/v1/principals`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'eve', type: 'USER' }) })).status).toBe(200);
    const eveKeys = (await (await fetch(`${system.url}/api/v1/principals/eve/access-keys`, { method: 'POST', headers: { authorization: admin.authorization } })).json()) as typeof keys;
    const eve = client(eveKeys);
    const error = await failure(eve.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: TABLE_ARN })));
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toContain('SELECT');
    eve.destroy();
  });

  it('administers grants, settings and registered locations through the Lake Formation API, and the vends follow', async () => {
    const adminHeaders = { authorization: `Bearer ${system.adminToken}` };
    const adminKeys = (await (await fetch(`${system.url}/api/v1/principals/admin/access-keys`, { method: 'POST', headers: adminHeaders })).json()) as typeof keys;
    const admin = client(adminKeys);
    const settings = await admin.send(new GetDataLakeSettingsCommand({}));
    expect(settings.DataLakeSettings?.DataLakeAdmins).toEqual([{ DataLakePrincipalIdentifier: 'admin' }]);
    expect(settings.DataLakeSettings?.AllowFullTableExternalDataAccess).toBe(true);

    await admin.send(new PutDataLakeSettingsCommand({ DataLakeSettings: { DataLakeAdmins: [{ DataLakePrincipalIdentifier: 'admin' }], AllowFullTableExternalDataAccess: false } }));
    // Read-your-writes: each change is in effect as soon as the admin call has returned.
    expect(await failure(lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: TABLE_ARN })))).toBeInstanceOf(AccessDeniedException);
    await admin.send(new PutDataLakeSettingsCommand({ DataLakeSettings: { DataLakeAdmins: [{ DataLakePrincipalIdentifier: 'admin' }], AllowFullTableExternalDataAccess: true } }));
    expect((await lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: TABLE_ARN }))).AccessKeyId).toMatch(/^ASIA/);

    const eveKeys = (await (await fetch(`${system.url}/api/v1/principals/eve/access-keys`, { method: 'POST', headers: adminHeaders })).json()) as typeof keys;
    const eve = client(eveKeys);
    const eveArn = 'arn:aws:iam::000000000000:user/eve';
    const table = { Table: { DatabaseName: 'default', Name: 'trips' } };
    await admin.send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: eveArn }, Resource: table, Permissions: ['SELECT'] }));
    expect((await eve.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: TABLE_ARN }))).VendedS3Path).toEqual(['s3://lakegate-demo/tables/trips']);
    const listed = await admin.send(new ListPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: 'eve' } }));
    expect(listed.PrincipalResourcePermissions).toEqual([{ Principal: { DataLakePrincipalIdentifier: 'eve' }, Resource: { Table: { CatalogId: '000000000000', DatabaseName: 'default', Name: 'trips' } }, Permissions: ['SELECT'], PermissionsWithGrantOption: [] }]);
    await admin.send(new RevokePermissionsCommand({ Principal: { DataLakePrincipalIdentifier: eveArn }, Resource: table, Permissions: ['SELECT'] }));
    expect(await failure(eve.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: TABLE_ARN })))).toBeInstanceOf(AccessDeniedException);
    expect(await failure(eve.send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: 'eve' }, Resource: table, Permissions: ['SELECT'] })))).toBeInstanceOf(AccessDeniedException);
    expect(await failure(admin.send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: 'eve' }, Resource: table, Permissions: ['CREATE_LF_TAG'] })))).toBeInstanceOf(InvalidInputException);
    expect(await failure(admin.send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: 'eve' }, Resource: { Table: { DatabaseName: 'default', Name: 'nope' } }, Permissions: ['SELECT'] })))).toBeInstanceOf(EntityNotFoundException);

    await admin.send(new RegisterResourceCommand({ ResourceArn: 'arn:aws:s3:::lf-bucket/data', RoleArn: 'arn:aws:iam::000000000000:role/lf-data' }));
    const resources = await admin.send(new ListResourcesCommand({}));
    expect(resources.ResourceInfoList).toContainEqual({ ResourceArn: 'arn:aws:s3:::lf-bucket/data', RoleArn: 'arn:aws:iam::000000000000:role/lf-data' });
    await admin.send(new DeregisterResourceCommand({ ResourceArn: 'arn:aws:s3:::lf-bucket/data' }));
    expect((await admin.send(new ListResourcesCommand({}))).ResourceInfoList?.map((r) => r.ResourceArn)).not.toContain('arn:aws:s3:::lf-bucket/data');
    for (const c of [admin, eve]) c.destroy();
  });

  it('temporary credentials: access key, secret and session token, signed as the SDK signs them', async () => {
    const res = await fetch(`${system.url}/api/v1/principals/demo/access-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ duration_seconds: 900 }),
    });
    expect(res.status).toBe(200);
    const temp = (await res.json()) as { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
    expect(temp.accessKeyId).toMatch(/^LSIA[A-Z0-9]{16}$/);
    expect(Date.parse(temp.expiration)).toBeGreaterThan(Date.now() + 14 * 60_000);
    const session = client({ accessKeyId: temp.accessKeyId, secretAccessKey: temp.secretAccessKey, sessionToken: temp.sessionToken });
    expect((await session.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: TABLE_ARN }))).AccessKeyId).toMatch(/^ASIA/);
    const noToken = client({ accessKeyId: temp.accessKeyId, secretAccessKey: temp.secretAccessKey });
    expect((await failure(noToken.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: TABLE_ARN })))).name).toBe('UnrecognizedClientException');
    const otherToken = client({ accessKeyId: temp.accessKeyId, secretAccessKey: temp.secretAccessKey, sessionToken: `${temp.sessionToken}x` });
    expect((await failure(otherToken.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: TABLE_ARN })))).name).toBe('UnrecognizedClientException');
    const longTermWithToken = client({ ...keys, sessionToken: temp.sessionToken });
    expect((await failure(longTermWithToken.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: TABLE_ARN })))).name).toBe('UnrecognizedClientException');
    const badDuration = await fetch(`${system.url}/api/v1/principals/demo/access-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ duration_seconds: 5 }),
    });
    expect(badDuration.status).toBe(400);
    for (const c of [session, noToken, otherToken, longTermWithToken]) c.destroy();
  });

  it('refuses bad signatures, unknown and revoked keys, and another region as AWS does', async () => {
    const wrongSecret = client({ accessKeyId: keys.accessKeyId, secretAccessKey: 'x'.repeat(40) });
    const bad = await failure(wrongSecret.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: TABLE_ARN })));
    expect(bad.name).toBe('InvalidSignatureException');
    expect(bad.$metadata.httpStatusCode).toBe(403);
    const unknown = client({ accessKeyId: 'LKIAAAAAAAAAAAAAAAAA', secretAccessKey: keys.secretAccessKey });
    expect((await failure(unknown.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: TABLE_ARN })))).name).toBe('UnrecognizedClientException');
    const otherRegion = client(keys, 'eu-west-1');
    expect((await failure(otherRegion.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: TABLE_ARN })))).name).toBe('InvalidSignatureException');
    const revoke = await fetch(`${system.url}/api/v1/principals/demo/access-keys/${keys.accessKeyId}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(revoke.status).toBe(200);
    expect((await failure(lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: TABLE_ARN })))).name).toBe('UnrecognizedClientException');
    for (const c of [wrongSecret, unknown, otherRegion]) c.destroy();
  });
});

describe('Lake Formation face when the cloud is slower than the vend deadline', () => {
  const token = `e2e_${randomBytes(24).toString('base64url')}`;
  let system: RunningSystem;
  let lf: LakeFormationClient;

  beforeAll(async () => {
    // STS answers after 3 s; the edge waits 600 ms for a vend.
    system = await startSystem({ token, extraEnv: { LAKEGATE_STS_EMULATOR_LATENCY_MS: '3000', LAKEGATE_VEND_TIMEOUT_MS: '600' } });
    const res = await fetch(`${system.url}/api/v1/principals/demo/access-keys`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    lf = new LakeFormationClient({ endpoint: system.url, region: 'us-east-1', credentials: (await res.json()) as { accessKeyId: string; secretAccessKey: string }, maxAttempts: 1 });
  });
  afterAll(async () => {
    lf?.destroy();
    if (system) {
      expect(await system.interrupt()).toBe(0);
      await removeDir(system.dataDir);
    }
  });

  it('answers OperationTimeoutException, and the lost call is audited', async () => {
    let error: LakeFormationServiceException | undefined;
    try {
      await lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: TABLE_ARN }));
    } catch (thrown) {
      error = thrown as LakeFormationServiceException;
    }
    expect(error).toBeInstanceOf(OperationTimeoutException);
    const requestId = error!.$metadata.requestId;
    const events = await eventually('the timed-out call audit record', async () => {
      const list = (await lookupEvents<{ errorCode?: string; requestID: string }>(system, 'EventName', 'GetTemporaryGlueTableCredentials')).map((e) => e.record);
      return list.some((e) => e.errorCode === 'DEADLINE_EXCEEDED') ? list : undefined;
    });
    expect(events.find((e) => e.errorCode === 'DEADLINE_EXCEEDED')?.requestID).toBe(requestId);
  });
});
