import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { LakegateError, type ErrorCode } from '@lakegate/contracts';
import { SigV4Error } from '../sigv4.js';
import { sendGlueError } from './glue.face.js';
import { sendLakeFormationError } from './lake-formation.face.js';

async function answer(send: typeof sendLakeFormationError, error: LakegateError) {
  const app = Fastify();
  app.get('/', async (_request, reply) => send(reply, error));
  const res = await app.inject({ method: 'GET', url: '/' });
  await app.close();
  return { status: res.statusCode, type: res.headers['x-amzn-errortype'], body: res.json() as { __type: string; Message: string }, date: res.headers['date'] };
}

const named = (code: ErrorCode, exception: string) => new LakegateError(code, `${exception} happened`, { details: { awsException: exception } });

describe('Lake Formation errors (restJson1)', () => {
  it.each([
    [new LakegateError('INVALID_ARGUMENT', 'bad'), 400, 'InvalidInputException'],
    [new LakegateError('PERMISSION_DENIED', 'no'), 403, 'AccessDeniedException'],
    [new LakegateError('NOT_FOUND', 'gone'), 400, 'EntityNotFoundException'],
    [named('FAILED_PRECONDITION', 'PermissionTypeMismatchException'), 400, 'PermissionTypeMismatchException'],
    [new LakegateError('DEADLINE_EXCEEDED', 'slow'), 400, 'OperationTimeoutException'],
    [new LakegateError('UPSTREAM_DENIED', 'sts said no'), 500, 'InternalServiceException'],
    [new LakegateError('AUDIT_UNAVAILABLE', 'no ack'), 500, 'InternalServiceException'],
    [new SigV4Error('InvalidSignatureException', 'bad signature', 403), 403, 'InvalidSignatureException'],
  ])('%s → %i %s, named in the header and the body, with a Date', async (error, status, exception) => {
    const res = await answer(sendLakeFormationError, error);
    expect(res).toMatchObject({ status, type: exception, body: { __type: exception } });
    expect(Date.parse(String(res.date))).not.toBeNaN();
  });

  it('never shows the message of an internal failure', async () => {
    const res = await answer(sendLakeFormationError, new LakegateError('UPSTREAM_DENIED', 'role arn:aws:iam::1:role/secret-name refused'));
    expect(res.body.Message).toBe('An internal service error occurred.');
  });
});

describe('Glue errors (AWS JSON 1.1)', () => {
  it.each([
    [new LakegateError('ALREADY_EXISTS', 'dup'), 400, 'AlreadyExistsException'],
    [new LakegateError('CONFLICT', 'raced'), 400, 'ConcurrentModificationException'],
    [new LakegateError('NOT_FOUND', 'gone'), 400, 'EntityNotFoundException'],
    [new LakegateError('PERMISSION_DENIED', 'no'), 400, 'AccessDeniedException'],
    [named('NOT_IMPLEMENTED', 'UnknownOperationException'), 400, 'UnknownOperationException'],
    [new LakegateError('INTERNAL'), 500, 'InternalServiceException'],
  ])('%s → %i %s', async (error, status, exception) => {
    expect(await answer(sendGlueError, error)).toMatchObject({ status, type: exception, body: { __type: exception } });
  });
});
