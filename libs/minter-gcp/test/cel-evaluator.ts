import { Environment } from '@marcbachmann/cel-js';
import type { CredentialAccessBoundary } from '../src/credential-access-boundary.js';
import { OBJECT_LIST_PREFIX_ATTRIBUTE, bucketResource } from '../src/credential-access-boundary.js';

/**
 * Decides what a Credential Access Boundary lets a token do, the way GCS does: a request is allowed
 * when a rule on its bucket grants its permission through one of the rule's roles and the rule's CEL
 * condition (evaluated by @marcbachmann/cel-js, an independent CEL implementation) is true. Object
 * requests see `resource.name = projects/_/buckets/<b>/objects/<object>`; `objects.list` sees the
 * bucket as `resource.name` and its prefix as the `objectListPrefix` request attribute.
 */

/** The object permissions of the two roles lakegate uses (from the GCS IAM role reference). */
export const ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  'roles/storage.objectViewer': ['storage.objects.get', 'storage.objects.list'],
  'roles/storage.objectAdmin': ['storage.objects.get', 'storage.objects.list', 'storage.objects.create', 'storage.objects.delete', 'storage.objects.update'],
};

export type GcsRequest =
  | { readonly permission: 'storage.objects.get' | 'storage.objects.create' | 'storage.objects.delete'; readonly bucket: string; readonly object: string }
  | { readonly permission: 'storage.objects.list'; readonly bucket: string; readonly prefix?: string };

/** The `api` of a request: its attributes, read with `api.getAttribute(name, default)`. */
class RequestAttributes {
  constructor(readonly attributes: Readonly<Record<string, string>>) {}
}

const env = new Environment()
  .registerType('RequestAttributes', { ctor: RequestAttributes, fields: {} })
  .registerVariable('resource', { schema: { name: 'string' } })
  .registerVariable('api', 'RequestAttributes')
  .registerFunction({
    name: 'getAttribute',
    receiverType: 'RequestAttributes',
    returnType: 'string',
    params: [
      { name: 'name', type: 'string' },
      { name: 'default', type: 'string' },
    ],
    handler: (api: RequestAttributes, name: string, fallback: string) => (Object.hasOwn(api.attributes, name) ? api.attributes[name] : fallback),
  });

/** Type-checks an expression against the variables GCS provides; returns the error message, if any. */
export function checkCondition(expression: string): string | undefined {
  const result = env.check(expression);
  if (!result.valid) return result.error?.message ?? 'invalid';
  return result.type === 'bool' ? undefined : `expression type is ${String(result.type)}, not bool`;
}

/** Evaluates a condition for one request; throws when the evaluator does. */
export function evaluateCondition(expression: string, request: GcsRequest): boolean {
  const object = request.permission === 'storage.objects.list' ? undefined : request.object;
  const name = object === undefined ? `projects/_/buckets/${request.bucket}` : `projects/_/buckets/${request.bucket}/objects/${object}`;
  const attributes: Record<string, string> = {};
  if (request.permission === 'storage.objects.list' && request.prefix !== undefined) attributes[OBJECT_LIST_PREFIX_ATTRIBUTE] = request.prefix;
  const value: unknown = env.evaluate(expression, { resource: { name }, api: new RequestAttributes(attributes) });
  if (typeof value !== 'boolean') throw new Error(`condition evaluated to ${typeof value}`);
  return value;
}

/** Whether a token bounded by `boundary` may perform `request`. */
export function isAllowed(boundary: CredentialAccessBoundary, request: GcsRequest): boolean {
  return boundary.accessBoundary.accessBoundaryRules.some((rule) => {
    if (rule.availableResource !== bucketResource(request.bucket)) return false;
    const grants = rule.availablePermissions.some((p) => ROLE_PERMISSIONS[p.replace(/^inRole:/, '')]?.includes(request.permission) ?? false);
    if (!grants) return false;
    return rule.availabilityCondition === undefined || evaluateCondition(rule.availabilityCondition.expression, request);
  });
}
