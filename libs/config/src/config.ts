import { OptionalKind, Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** One setting: the environment variable it is read from and the schema its value must satisfy. */
export interface Setting<S extends TSchema = TSchema> {
  readonly env: string;
  readonly schema: S;
  readonly secret: boolean;
  readonly description: string;
}

export function setting<S extends TSchema>(env: string, schema: S, description: string, options?: { secret?: boolean }): Setting<S> {
  return { env, schema, description, secret: options?.secret ?? false };
}

export type ConfigSpec = Record<string, Setting>;
export type ConfigOf<Spec extends ConfigSpec> = { [K in keyof Spec]: Static<Spec[K]['schema']> };

/** Every problem found in the configuration, listed at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const isOptional = (schema: TSchema) => (schema as unknown as Record<symbol, unknown>)[OptionalKind] === 'Optional';

/**
 * Reads and validates a whole configuration once, at start-up. Strings from the environment are
 * converted to the schema's type (numbers, booleans). Throws `ConfigError` listing every problem.
 */
export function loadConfig<Spec extends ConfigSpec>(spec: Spec, env: Record<string, string | undefined>): ConfigOf<Spec> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(spec)) {
    const raw = env[s.env];
    if (raw === undefined || raw === '') {
      const dflt = (s.schema as { default?: unknown }).default;
      if (dflt !== undefined) out[key] = dflt;
      else if (!isOptional(s.schema)) problems.push(`${s.env} is required: ${s.description}`);
      continue;
    }
    const converted = Value.Convert(s.schema, raw);
    if (Value.Check(s.schema, converted)) {
      out[key] = converted;
      continue;
    }
    const first = Value.Errors(s.schema, converted).First();
    const shown = s.secret ? '(hidden)' : JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
    problems.push(`${s.env}=${shown} is invalid: ${first?.message ?? 'does not match'} (${s.description})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<Spec>;
}

/** The configuration as it may be logged: secret settings masked. */
export function describeConfig<Spec extends ConfigSpec>(spec: Spec, config: ConfigOf<Spec>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec).map(([k, s]) => [k, s.secret && config[k] !== undefined ? '[set]' : config[k]]));
}

export { Type };

/** `loadConfig` over this process's environment: the one place lakegate reads `process.env`. */
export function loadConfigFromEnv<Spec extends ConfigSpec>(spec: Spec): ConfigOf<Spec> {
  return loadConfig(spec, process.env);
}
