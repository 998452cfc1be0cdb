import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const Access = Type.Union([Type.Literal('read'), Type.Literal('write')], {
  $id: 'Access',
  description: 'read = list and get objects; write = read plus put, delete and multipart upload.',
});
export type Access = Static<typeof Access>;

export const CloudName = Type.Union([Type.Literal('aws'), Type.Literal('azure'), Type.Literal('gcp')], { $id: 'Cloud' });

/** One storage location a credential is scoped to, normalised (see domain `normaliseLocation`). */
export const StorageLocation = Type.Object(
  { url: Type.String({ minLength: 1, maxLength: 2048 }), access: Access },
  { $id: 'StorageLocation', additionalProperties: false },
);
export type StorageLocation = Static<typeof StorageLocation>;

export const ErrorBodySchema = Type.Object(
  {
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'ErrorBody' },
);

/** The reply envelope of every request-reply endpoint other than vend. */
export const ResultReply = <S extends TSchema>(result: S) =>
  Type.Union([
    Type.Object({ ok: Type.Literal(true), result }),
    Type.Object({ ok: Type.Literal(false), requestId: Type.String(), error: ErrorBodySchema }),
  ]);
