import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

/**
 * Validates response bodies against the Unity Catalog OpenAPI document (a copy of the reference in
 * fixtures/), schema by name: `TemporaryCredentials`, `VolumeInfo`, `TableInfo`, …
 */
export function ucSchemaValidator(): (schemaName: string, value: unknown) => string[] {
  const spec = parse(readFileSync(join(import.meta.dirname, '../fixtures/unity-catalog-openapi.yaml'), 'utf8')) as { components: { schemas: Record<string, unknown> } };
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: 'uc', components: spec.components });
  return (schemaName, value) => {
    const validate = ajv.compile({ $ref: `uc#/components/schemas/${schemaName}` });
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}
