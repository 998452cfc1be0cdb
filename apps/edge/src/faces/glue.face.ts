import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_OPERATIONS, LakegateError, type AdminOperation, type ErrorCode } from '@lakegate/contracts';
import type { EdgeContext } from '../edge-context.js';
import { authenticateSigV4 } from '../sigv4.js';
import { traced } from '../traced.js';
import { forwardToCatalog } from './admin.face.js';
import { sendAwsError } from './lake-formation.face.js';

const TARGET_PREFIX = 'AWSGlue.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** The Glue operations this face serves (`X-Amz-Target: AWSGlue.<Operation>`). */
export const GLUE_OPERATIONS: readonly string[] = ADMIN_OPERATIONS.filter((o) => o.startsWith('Glue')).map((o) => o.slice('Glue'.length));

/** Catalog codes → Glue exceptions (AWS JSON 1.1: every client error is a 400 with its `__type`). */
const GLUE_ERRORS: Partial<Record<ErrorCode, [number, string]>> = {
  INVALID_ARGUMENT: [400, 'InvalidInputException'],
  FAILED_PRECONDITION: [400, 'InvalidInputException'],
  UNAUTHENTICATED: [400, 'AccessDeniedException'],
  PERMISSION_DENIED: [400, 'AccessDeniedException'],
  NOT_FOUND: [400, 'EntityNotFoundException'],
  ALREADY_EXISTS: [400, 'AlreadyExistsException'],
  CONFLICT: [400, 'ConcurrentModificationException'],
  DEADLINE_EXCEEDED: [400, 'OperationTimeoutException'],
  RESOURCE_EXHAUSTED: [400, 'ThrottlingException'],
  NOT_IMPLEMENTED: [400, 'UnknownOperationException'],
};

/** AWS JSON 1.1 error: `{"__type","Message"}` with `X-Amzn-Errortype`. */
export function sendGlueError(reply: FastifyReply, error: LakegateError, httpStatus?: number): FastifyReply {
  return sendAwsError(reply.header('content-type', CONTENT_TYPE), error, GLUE_ERRORS, httpStatus);
}

/** True for a request that is a Glue call: `POST /` with a Glue target. */
export const isGlueRequest = (request: FastifyRequest) =>
  request.method === 'POST' && (request.url === '/' || request.url.startsWith('/?')) && String(request.headers['x-amz-target'] ?? '').startsWith(TARGET_PREFIX);

function operationOf(request: FastifyRequest): AdminOperation {
  const target = String(request.headers['x-amz-target'] ?? '');
  const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  if (!GLUE_OPERATIONS.includes(name)) {
    throw new LakegateError('NOT_IMPLEMENTED', target ? `Operation ${target.slice(0, 128)} is not supported by lakegate's Glue face.` : 'Missing X-Amz-Target header.', {
      details: { awsException: 'UnknownOperationException' },
    });
  }
  return `Glue${name}` as AdminOperation;
}

/**
 * The AWS Glue Data Catalog face (AWS JSON 1.1, `POST /` with `X-Amz-Target: AWSGlue.<Op>`, SigV4
 * for service `glue`): databases, tables and partitions of lakegate's catalog, so engines that read
 * Glue metadata see lakegate's tables. It answers at the edge's root URL, beside Lake Formation.
 */
export function registerGlueFace(app: FastifyInstance, ctx: EdgeContext): void {
  app.post(
    '/',
    { config: { operation: 'Glue', openapi: { summary: `AWS Glue Data Catalog (AWS JSON 1.1, X-Amz-Target AWSGlue.<Operation>, SigV4): ${GLUE_OPERATIONS.join(', ')}`, security: 'sigv4' } } },
    traced('Glue', async (request, reply) =>
      forwardToCatalog(ctx, request, reply, operationOf, {
        authenticate: (c, r) => authenticateSigV4(c, r, 'glue'),
        sendError: sendGlueError,
        respond: (r, result) => r.header('content-type', CONTENT_TYPE).send(JSON.stringify(result ?? {})),
      }),
    ),
  );
}
