import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { IamPolicyDocument } from '../src/session-policy.js';

export const ACCOUNT = '123456789012';

/** What the role itself may do: everything on S3 and KMS, so only the session policy narrows. */
const ROLE_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:*', 'kms:*'], Resource: '*' }],
};

/** KMS only honours identity policies when the key policy delegates to the account (the default key policy). */
const defaultKeyPolicy = (partition: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
});

export interface SimulatedRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
}

/**
 * Evaluates one request made with the vended session: the role's identity policy (allows all of S3
 * and KMS) intersected with the session policy, by an independent IAM evaluator. Throws when the
 * simulator rejects its input, so a malformed policy cannot pass as "denied".
 * Request resources must not contain `*` or `?` (iam-simulate reads them as wildcards).
 */
export async function isAllowed(sessionPolicy: IamPolicyDocument, request: SimulatedRequest, partition = 'aws'): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:${partition}:sts::${ACCOUNT}:assumed-role/lakegate-data/alice`,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: request.context ?? {},
      },
      sessionPolicy: sessionPolicy,
      identityPolicies: [{ name: 'role', policy: ROLE_POLICY }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.action.startsWith('kms:') ? { resourcePolicy: defaultKeyPolicy(partition) } : {}),
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') throw new Error(`iam-simulate rejected the input: ${JSON.stringify(result.errors)}`);
  // A request resource with `*` or `?` is a pattern to iam-simulate, not a literal key: refuse it
  // rather than report a pattern match as if one object were allowed.
  if (result.resultType !== 'single') throw new Error(`iam-simulate ran a ${result.resultType} simulation for '${request.resource}'`);
  return result.overallResult === 'Allowed';
}
