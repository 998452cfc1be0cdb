import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { codec, type AdminOperation, type Codec, LakegateError, LF_PERMISSION_TYPES, LF_PERMISSIONS, toLakegateError, type AuditContext, type ErrorCode, type VendSuccess } from '@lakegate/contracts';
import type { AssertedIdentity } from '@lakegate/trust';
import { auditEdgeFailure } from '../edge-audit.js';
import type { EdgeContext } from '../edge-context.js';
import { authenticateSigV4, SigV4Error } from '../sigv4.js';
import { traced } from '../traced.js';
import { vend, type VendInput } from '../vend-client.js';
import { catalogRoute } from './admin.face.js';

const VEND_OPERATIONS = ['GetTemporaryGlueTableCredentials', 'GetTemporaryGluePartitionCredentials', 'GetTemporaryDataLocationCredentials'] as const;
const ADMIN_OPERATIONS = ['GrantPermissions', 'RevokePermissions', 'ListPermissions', 'GetDataLakeSettings', 'PutDataLakeSettings', 'RegisterResource', 'DeregisterResource', 'ListResources', 'CreateDataCellsFilter', 'DeleteDataCellsFilter', 'GetDataCellsFilter', 'ListDataCellsFilter'] as const;
/** Every operation this face serves, at `POST /<Operation>`. */
export const LAKE_FORMATION_OPERATIONS: readonly string[] = [...VEND_OPERATIONS, ...ADMIN_OPERATIONS];

/** Catalog codes → Lake Formation exceptions (restJson1). */
const LF_ERRORS: Partial<Record<ErrorCode, [number, string]>> = {
  INVALID_ARGUMENT: [400, 'InvalidInputException'],
  FAILED_PRECONDITION: [400, 'InvalidInputException'],
  UNAUTHENTICATED: [403, 'AccessDeniedException'],
  PERMISSION_DENIED: [403, 'AccessDeniedException'],
  NOT_FOUND: [400, 'EntityNotFoundException'],
  DEADLINE_EXCEEDED: [400, 'OperationTimeoutException'],
  RESOURCE_EXHAUSTED: [429, 'ThrottlingException'],
};

/** restJson1 error: `X-Amzn-Errortype` header and `{"__type","Message"}` body. */
export function sendLakeFormationError(reply: FastifyReply, error: LakegateError, httpStatus?: number): FastifyReply {
  return sendAwsError(reply, error, LF_ERRORS, httpStatus);
}

/**
 * An AWS error as the AWS JSON protocols send it: the exception named by the decision (its
 * `awsException`) or mapped from the catalog code, in `X-Amzn-Errortype` and `__type`, with a `Date`.
 */
export function sendAwsError(reply: FastifyReply, error: LakegateError, table: Partial<Record<ErrorCode, [number, string]>>, httpStatus?: number): FastifyReply {
  const named = (error.details?.['awsException'] as string | undefined) ?? undefined;
  const [mapped, type] = table[error.code] ?? [500, 'InternalServiceException'];
  const status = error instanceof SigV4Error ? error.httpStatus : (httpStatus ?? (named ? (AWS_EXCEPTION_STATUS[named] ?? mapped) : mapped));
  const exception = named ?? type;
  const message = status >= 500 && exception === 'InternalServiceException' ? 'An internal service error occurred.' : error.message;
  return reply.status(status).header('x-amzn-errortype', exception).header('date', new Date().toUTCString()).send({ __type: exception, Message: message });
}

/** HTTP status of the exceptions whose status does not follow from the catalog code. */
const AWS_EXCEPTION_STATUS: Record<string, number> = {
  PermissionTypeMismatchException: 400,
  EntityNotFoundException: 400,
  AlreadyExistsException: 400,
  ConcurrentModificationException: 400,
  UnknownOperationException: 400,
};

const Arn = Type.String({ minLength: 20, maxLength: 1024 });
const Duration = (max: number) => Type.Integer({ minimum: 900, maximum: max });
const LfAuditContext = Type.Object({ AdditionalAuditContext: Type.Optional(Type.String({ maxLength: 2048 })) }, { additionalProperties: false });
const QuerySessionContext = Type.Object(
  {
    QueryId: Type.Optional(Type.String({ maxLength: 255 })),
    QueryStartTime: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 64 })])),
    ClusterId: Type.Optional(Type.String({ maxLength: 255 })),
    QueryAuthorizationId: Type.Optional(Type.String({ maxLength: 255 })),
    AdditionalContext: Type.Optional(Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: 2048 }), { maxProperties: 16 })),
  },
  { additionalProperties: false },
);
const Permissions = Type.Array(Type.Union(LF_PERMISSIONS.map((p) => Type.Literal(p))), { maxItems: 32 });
const PermissionTypes = Type.Array(Type.Union(LF_PERMISSION_TYPES.map((p) => Type.Literal(p))), { minItems: 1, maxItems: 8 });

const TableRequest = codec(
  Type.Object({
    TableArn: Arn,
    Permissions: Type.Optional(Permissions),
    DurationSeconds: Type.Optional(Duration(21_600)),
    AuditContext: Type.Optional(LfAuditContext),
    SupportedPermissionTypes: Type.Optional(PermissionTypes),
    S3Path: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    QuerySessionContext: Type.Optional(QuerySessionContext),
  }),
);
const PartitionRequest = codec(
  Type.Object({
    TableArn: Arn,
    Partition: Type.Object({ Values: Type.Array(Type.String({ maxLength: 1024 }), { minItems: 1, maxItems: 100 }) }),
    Permissions: Type.Optional(Permissions),
    DurationSeconds: Type.Optional(Duration(21_600)),
    AuditContext: Type.Optional(LfAuditContext),
    SupportedPermissionTypes: Type.Optional(PermissionTypes),
  }),
);
const DataLocationRequest = codec(
  Type.Object({
    DurationSeconds: Type.Optional(Duration(43_200)),
    AuditContext: Type.Optional(LfAuditContext),
    DataLocations: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { minItems: 1, maxItems: 32 }),
    CredentialsScope: Type.Optional(Type.Union([Type.Literal('READ'), Type.Literal('READWRITE')])),
  }),
);

function auditContextOf(audit: { AdditionalAuditContext?: string } | undefined, session?: Record<string, unknown>): AuditContext | undefined {
  const querySessionContext: Record<string, string> = {};
  for (const [k, v] of Object.entries(session ?? {})) {
    if (v === undefined) continue;
    if (k === 'AdditionalContext' && v && typeof v === 'object') for (const [ak, av] of Object.entries(v)) querySessionContext[`AdditionalContext.${ak}`] = String(av);
    else querySessionContext[k] = String(v);
  }
  const out: AuditContext = {
    ...(audit?.AdditionalAuditContext ? { additionalAuditContext: audit.AdditionalAuditContext } : {}),
    ...(Object.keys(querySessionContext).length > 0 ? { querySessionContext } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Lake Formation permissions that ask for a read-write credential. */
const writes = (permissions: readonly string[] | undefined) => (permissions ?? []).some((p) => ['INSERT', 'DELETE', 'ALTER', 'DROP', 'ALL', 'SUPER_USER'].includes(p));

const epochSeconds = (ms: number) => Math.floor(ms / 1000);

function awsCredential(vended: Awaited<ReturnType<typeof vend>>): VendSuccess['credential'] & { aws: NonNullable<VendSuccess['credential']['aws']> } {
  if (!('credential' in vended) || !vended.credential.aws) throw new LakegateError('INTERNAL');
  return vended.credential as never;
}

/**
 * The AWS Lake Formation face (restJson1, `POST /<Operation>`), signed with SigV4 by access keys
 * lakegate issued. Real `@aws-sdk/client-lakeformation` clients work against it with `endpoint` set
 * to the edge's root URL.
 */
export function registerLakeFormationFace(app: FastifyInstance, ctx: EdgeContext): void {
  const route = <B>(
    operation: (typeof VEND_OPERATIONS)[number],
    bodyCodec: Codec<B>,
    translate: (body: B) => Omit<VendInput, 'face' | 'operation'>,
    respond: (vended: Awaited<ReturnType<typeof vend>>, body: B) => Record<string, unknown>,
  ) => {
    const check = bodyCodec.check;
    app.post(`/${operation}`, { config: { operation, openapi: { summary: `AWS Lake Formation ${operation} (restJson1, SigV4)`, body: bodyCodec.schema, security: 'sigv4' } } }, traced(operation, async (request: FastifyRequest, reply) => {
      reply.header('date', new Date().toUTCString());
      let identity: AssertedIdentity | undefined;
      let body: B;
      let input;
      try {
        identity = await authenticateSigV4(ctx, request, 'lakeformation');
        body = check(request.body ?? {});
        input = translate(body);
      } catch (thrown) {
        const error = toLakegateError(thrown);
        try {
          await auditEdgeFailure(ctx, request, { eventName: operation, error, identity, readOnly: false, requestParameters: null });
        } catch (auditError) {
          return sendLakeFormationError(reply, toLakegateError(auditError));
        }
        return sendLakeFormationError(reply, error);
      }
      try {
        const vended = await vend(ctx, request, identity, { face: 'lake-formation', operation, ...input });
        return reply.send(respond(vended, body));
      } catch (thrown) {
        return sendLakeFormationError(reply, toLakegateError(thrown));
      }
    }));
  };

  // Administration: the catalog service applies these to the same grants and locations the other faces use.
  for (const operation of ADMIN_OPERATIONS) {
    catalogRoute(app, ctx, 'POST', `/${operation}`, `Lf${operation}` as AdminOperation, {
      authenticate: (c, request) => authenticateSigV4(c, request, 'lakeformation'),
      sendError: sendLakeFormationError,
      openapi: { summary: `AWS Lake Formation ${operation} (restJson1, SigV4)`, security: 'sigv4' },
      respond: (reply, result) => reply.header('date', new Date().toUTCString()).send(result ?? {}),
    });
  }

  route(
    'GetTemporaryGlueTableCredentials',
    TableRequest,
    (b: ReturnType<typeof TableRequest.check>) => {
      const write = writes(b.Permissions);
      const auditContext = auditContextOf(b.AuditContext, b.QuerySessionContext as Record<string, unknown> | undefined);
      return {
        target: {
          kind: 'glue-table',
          tableArn: b.TableArn,
          ...(b.Permissions ? { permissions: b.Permissions } : {}),
          ...(b.SupportedPermissionTypes ? { supportedPermissionTypes: b.SupportedPermissionTypes } : {}),
          ...(b.S3Path ? { s3Path: b.S3Path } : {}),
        },
        access: write ? 'write' : 'read',
        ...(b.DurationSeconds ? { durationSeconds: b.DurationSeconds } : {}),
        ...(auditContext ? { auditContext } : {}),
        requestParameters: { ...b },
      };
    },
    (vended) => {
      const c = awsCredential(vended);
      return { AccessKeyId: c.aws.accessKeyId, SecretAccessKey: c.aws.secretAccessKey, SessionToken: c.aws.sessionToken, Expiration: epochSeconds(c.expiresAt), VendedS3Path: vended.locations.map((l) => l.url) };
    },
  );

  route(
    'GetTemporaryGluePartitionCredentials',
    PartitionRequest,
    (b: ReturnType<typeof PartitionRequest.check>) => {
      const auditContext = auditContextOf(b.AuditContext);
      return {
        target: {
          kind: 'glue-table',
          tableArn: b.TableArn,
          partitionValues: b.Partition.Values,
          ...(b.Permissions ? { permissions: b.Permissions } : {}),
          ...(b.SupportedPermissionTypes ? { supportedPermissionTypes: b.SupportedPermissionTypes } : {}),
        },
        access: writes(b.Permissions) ? 'write' : 'read',
        ...(b.DurationSeconds ? { durationSeconds: b.DurationSeconds } : {}),
        ...(auditContext ? { auditContext } : {}),
        requestParameters: { ...b },
      };
    },
    (vended) => {
      const c = awsCredential(vended);
      return { AccessKeyId: c.aws.accessKeyId, SecretAccessKey: c.aws.secretAccessKey, SessionToken: c.aws.sessionToken, Expiration: epochSeconds(c.expiresAt) };
    },
  );

  route(
    'GetTemporaryDataLocationCredentials',
    DataLocationRequest,
    (b: ReturnType<typeof DataLocationRequest.check>) => {
      const auditContext = auditContextOf(b.AuditContext);
      return {
        target: { kind: 'data-locations', urls: b.DataLocations },
        access: b.CredentialsScope === 'READWRITE' ? 'write' : 'read',
        ...(b.DurationSeconds ? { durationSeconds: b.DurationSeconds } : {}),
        ...(auditContext ? { auditContext } : {}),
        requestParameters: { ...b },
      };
    },
    (vended, b: ReturnType<typeof DataLocationRequest.check>) => {
      const c = awsCredential(vended);
      return {
        Credentials: { AccessKeyId: c.aws.accessKeyId, SecretAccessKey: c.aws.secretAccessKey, SessionToken: c.aws.sessionToken, Expiration: epochSeconds(c.expiresAt) },
        AccessibleDataLocations: vended.locations.map((l) => l.url),
        CredentialsScope: b.CredentialsScope ?? 'READ',
      };
    },
  );
}
