import { LakegateError } from '@lakegate/contracts';
import { normaliseLocation } from '@lakegate/domain';

/** The AWS partitions lakegate can scope policies for. */
export const AWS_PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;
export type AwsPartition = (typeof AWS_PARTITIONS)[number];

/** STS `AssumeRole` duration limits (seconds): the API's bounds and its default. */
export const STS_DURATION_LIMITS = { min: 900, max: 43_200, default: 3_600 } as const;

/** Long-lived or refreshed credentials lakegate itself signs STS calls with. */
export interface AwsCallerCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** A provider of caller credentials; the SDK calls it again when credentials near expiry. */
export type AwsCallerCredentialsProvider = () => Promise<AwsCallerCredentials>;

/** What the app passes to {@link AwsMinter}; validated once by {@link resolveAwsMinterConfig}. */
export interface AwsMinterOptions {
  /** Region of the STS endpoint, e.g. `us-east-1`. */
  readonly region: string;
  /** STS endpoint URL, for regional/FIPS endpoints, S3-compatible stores or the loopback emulator. */
  readonly endpoint?: string;
  /**
   * Partition for ARNs in session policies. When absent it is taken from the role ARN,
   * then from the region (`cn-*` → aws-cn, `us-gov-*` → aws-us-gov, otherwise aws).
   */
  readonly partition?: AwsPartition;
  /** The roles' `MaxSessionDuration` in seconds (900–43200); default 3600, as IAM's default. */
  readonly roleMaxSessionSeconds?: number;
  /**
   * SSE-KMS keys by storage location (`s3://bucket` or `s3://bucket/prefix`) → KMS key ARN.
   * A location uses the key of the most specific entry covering it on segment boundaries.
   */
  readonly kmsKeyArns?: Readonly<Record<string, string>>;
  /** Credentials for the STS call; when absent the SDK's default provider chain applies. */
  readonly credentials?: AwsCallerCredentials | AwsCallerCredentialsProvider;
  /** Bound on one STS HTTP request; default 5000 ms. */
  readonly requestTimeoutMs?: number;
  /** SDK attempts per mint, including the first; default 3. */
  readonly maxAttempts?: number;
}

/** Options after validation, with defaults applied. */
export interface AwsMinterConfig {
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly partition: AwsPartition | undefined;
  readonly roleMaxSessionSeconds: number;
  /** Keys by normalised location URL. */
  readonly kmsKeyArns: Readonly<Record<string, string>>;
  readonly credentials: AwsCallerCredentials | AwsCallerCredentialsProvider | undefined;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
}

const KMS_KEY_ARN = /^arn:(aws|aws-cn|aws-us-gov):kms:[a-z0-9-]+:\d{12}:(?:key|alias)\/[A-Za-z0-9/_+=,.@-]+$/;

export const isAwsPartition = (value: unknown): value is AwsPartition =>
  typeof value === 'string' && (AWS_PARTITIONS as readonly string[]).includes(value);

/** The partition a region belongs to. */
export function partitionForRegion(region: string): AwsPartition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The partition named by an ARN (`arn:<partition>:…`), or undefined when it is not an AWS partition. */
export function partitionOfArn(arn: string): AwsPartition | undefined {
  const partition = /^arn:([^:]*):/.exec(arn)?.[1];
  return isAwsPartition(partition) ? partition : undefined;
}

/** Validates options and applies defaults; every problem is listed in one error. */
export function resolveAwsMinterConfig(options: AwsMinterOptions): AwsMinterConfig {
  const problems: string[] = [];
  const { region } = options;
  // Custom regions (MinIO and other S3-compatible stores) are allowed; they only need to be non-empty.
  if (typeof region !== 'string' || region.trim() === '') problems.push('region is required');
  if (options.endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(options.endpoint);
    } catch {
      problems.push(`endpoint '${options.endpoint}' is not a URL`);
    }
    if (url && url.protocol !== 'https:' && url.protocol !== 'http:') problems.push(`endpoint '${options.endpoint}' must be http(s)`);
  }
  if (options.partition !== undefined && !isAwsPartition(options.partition)) {
    problems.push(`partition '${String(options.partition)}' is not one of ${AWS_PARTITIONS.join(', ')}`);
  }
  const roleMaxSessionSeconds = options.roleMaxSessionSeconds ?? STS_DURATION_LIMITS.default;
  if (!Number.isInteger(roleMaxSessionSeconds) || roleMaxSessionSeconds < STS_DURATION_LIMITS.min || roleMaxSessionSeconds > STS_DURATION_LIMITS.max) {
    problems.push(`roleMaxSessionSeconds must be an integer from ${STS_DURATION_LIMITS.min} to ${STS_DURATION_LIMITS.max}, got ${String(roleMaxSessionSeconds)}`);
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs <= 0) problems.push('requestTimeoutMs must be a positive integer');
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) problems.push('maxAttempts must be an integer from 1 to 10');

  const kmsKeyArns: Record<string, string> = {};
  for (const [location, keyArn] of Object.entries(options.kmsKeyArns ?? {})) {
    let url: string | undefined;
    try {
      const parsed = normaliseLocation(location);
      if (parsed.scheme === 's3') url = parsed.url;
      else problems.push(`kmsKeyArns: '${location}' is not an s3 location`);
    } catch (error) {
      problems.push(`kmsKeyArns: ${error instanceof Error ? error.message : String(error)}`);
    }
    // A key ARN with IAM wildcards would widen the KMS grant beyond one key.
    if (!KMS_KEY_ARN.test(keyArn)) problems.push(`kmsKeyArns: '${keyArn}' (for '${location}') is not a KMS key ARN`);
    else if (url !== undefined) {
      if (kmsKeyArns[url] !== undefined && kmsKeyArns[url] !== keyArn) problems.push(`kmsKeyArns: '${location}' is given two different keys`);
      kmsKeyArns[url] = keyArn;
    }
  }

  if (problems.length > 0) {
    throw new LakegateError('INVALID_ARGUMENT', `Invalid AWS minter configuration: ${problems.join('; ')}.`, { details: { problems } });
  }
  return {
    region: region.trim(),
    endpoint: options.endpoint,
    partition: options.partition,
    roleMaxSessionSeconds,
    kmsKeyArns,
    credentials: options.credentials,
    requestTimeoutMs,
    maxAttempts,
  };
}
