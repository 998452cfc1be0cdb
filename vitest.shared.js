/** The one vitest setup every project uses: sources resolved through the `@lakegate/source` condition. */
export function sharedTestConfig(root) {
    return {
        root,
        resolve: { conditions: ['@lakegate/source', 'import', 'node', 'default'] },
        ssr: { resolve: { conditions: ['@lakegate/source', 'import', 'node', 'default'], externalConditions: ['@lakegate/source'] } },
        test: {
            globals: false,
            environment: 'node',
            include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
            testTimeout: 30_000,
            hookTimeout: 60_000,
            pool: 'forks',
        },
    };
}
//# sourceMappingURL=vitest.shared.js.map