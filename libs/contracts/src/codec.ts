import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { LakegateError } from './errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A compiled validator and JSON codec for one message schema. */
export interface Codec<T> {
  readonly schema: TSchema;
  /** Validates and returns the value, or throws INVALID_ARGUMENT listing every problem. */
  check(value: unknown): T;
  is(value: unknown): value is T;
  decode(bytes: Uint8Array): T;
  encode(value: T): Uint8Array;
}

export function codec<S extends TSchema>(schema: S): Codec<Static<S>> {
  const compiled = TypeCompiler.Compile(schema);
  const check = (value: unknown): Static<S> => {
    if (compiled.Check(value)) return value;
    const problems = [...compiled.Errors(value)].slice(0, 10).map((e) => `${e.path || '/'}: ${e.message}`);
    throw new LakegateError('INVALID_ARGUMENT', `Invalid ${schema.$id ?? 'message'}: ${problems.join('; ')}`, {
      details: { problems },
    });
  };
  return {
    schema,
    check,
    is: (value: unknown): value is Static<S> => compiled.Check(value),
    decode(bytes) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(decoder.decode(bytes));
      } catch {
        throw new LakegateError('INVALID_ARGUMENT', `Invalid ${schema.$id ?? 'message'}: not JSON`);
      }
      return check(parsed);
    },
    encode: (value) => encoder.encode(JSON.stringify(value)),
  };
}
