import { join } from 'node:path';
import type { UserWorkspaceConfig } from 'vitest/config';

/**
 * The one vitest setup every project uses: sources resolved through the `@lakegate/source`
 * condition, and a JSON report per project that `npm test` sums into one closing line.
 */
export function sharedTestConfig(root: string): UserWorkspaceConfig {
  const conditions = ['@lakegate/source', 'import', 'node', 'default'];
  return {
    root,
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@lakegate/source'] } },
    test: {
      globals: false,
      environment: 'node',
      include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
      testTimeout: 30_000,
      hookTimeout: 120_000,
      pool: 'forks',
      passWithNoTests: true,
      reporters: ['default', ['json', { outputFile: join(root, 'out-tsc/vitest-results.json') }]],
    },
  } as UserWorkspaceConfig;
}
