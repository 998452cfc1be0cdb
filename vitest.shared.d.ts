import type { UserWorkspaceConfig } from 'vitest/config';
/** The one vitest setup every project uses: sources resolved through the `@lakegate/source` condition. */
export declare function sharedTestConfig(root: string): UserWorkspaceConfig;
//# sourceMappingURL=vitest.shared.d.ts.map