import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const sdks = ['@aws-sdk/*', '@smithy/*', '@azure/*', 'google-auth-library'];
const nats = ['@nats-io/*'];
const io = ['better-sqlite3', 'pg', 'fastify', 'pino'];

/**
 * Layer rules (STYLE.md): contracts depend on nothing; domain is pure (no SDK, no NATS, no I/O);
 * a cloud library imports only its own SDK; authz and audit never import minters;
 * testkit and emulators only from tests.
 */
const depConstraints = (allowTestkit) => {
  const testOnly = allowTestkit ? ['layer:testkit', 'layer:emulator'] : [];
  return [
    { sourceTag: 'layer:contracts', onlyDependOnLibsWithTags: ['layer:contracts'], bannedExternalImports: [...sdks, ...nats, ...io] },
    { sourceTag: 'layer:domain', onlyDependOnLibsWithTags: ['layer:contracts', 'layer:domain', ...testOnly], bannedExternalImports: [...sdks, ...nats, ...io] },
    { sourceTag: 'layer:platform', onlyDependOnLibsWithTags: ['layer:contracts', 'layer:domain', 'layer:platform', ...testOnly], bannedExternalImports: sdks },
    { sourceTag: 'layer:audit', onlyDependOnLibsWithTags: ['layer:contracts', 'layer:domain', 'layer:platform', 'layer:audit', ...testOnly], bannedExternalImports: sdks },
    { sourceTag: 'layer:minter', onlyDependOnLibsWithTags: ['layer:contracts', 'layer:domain', 'layer:platform', 'layer:minter', ...testOnly] },
    { sourceTag: 'cloud:none', bannedExternalImports: sdks },
    { sourceTag: 'cloud:aws', onlyDependOnLibsWithTags: ['cloud:aws', 'cloud:none', 'layer:contracts', 'layer:domain', 'layer:platform', ...testOnly], bannedExternalImports: ['@azure/*', 'google-auth-library'] },
    { sourceTag: 'cloud:azure', onlyDependOnLibsWithTags: ['cloud:azure', 'cloud:none', 'layer:contracts', 'layer:domain', 'layer:platform', ...testOnly], bannedExternalImports: ['@aws-sdk/*', 'google-auth-library'] },
    { sourceTag: 'cloud:gcp', onlyDependOnLibsWithTags: ['cloud:gcp', 'cloud:none', 'layer:contracts', 'layer:domain', 'layer:platform', ...testOnly], bannedExternalImports: ['@aws-sdk/*', '@azure/*'] },
    { sourceTag: 'layer:testkit', onlyDependOnLibsWithTags: ['layer:contracts', 'layer:platform', 'layer:minter', 'layer:testkit', 'layer:emulator'] },
    { sourceTag: 'layer:emulator', onlyDependOnLibsWithTags: ['layer:emulator'] },
    { sourceTag: 'layer:tool', onlyDependOnLibsWithTags: ['layer:contracts', 'layer:domain', 'layer:platform', 'layer:minter', 'layer:emulator', 'layer:tool'] },
    { sourceTag: 'scope:authz', notDependOnLibsWithTags: ['layer:minter'], bannedExternalImports: sdks },
    { sourceTag: 'scope:audit', notDependOnLibsWithTags: ['layer:minter'], bannedExternalImports: sdks },
    // The edge verifies SigV4 signatures (@smithy/signature-v4) but calls no cloud.
    { sourceTag: 'scope:edge', notDependOnLibsWithTags: ['layer:minter'], bannedExternalImports: ['@aws-sdk/*', '@azure/*', 'google-auth-library'] },
    { sourceTag: 'scope:catalog', notDependOnLibsWithTags: ['layer:minter'], bannedExternalImports: sdks },
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['layer:contracts', 'layer:domain', 'layer:platform', 'layer:minter', 'layer:audit', ...testOnly] },
    { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['layer:contracts', 'layer:platform', 'layer:testkit', 'layer:emulator'] },
  ];
};

const boundaries = (allowTestkit) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], checkDynamicDependenciesExceptions: [], depConstraints: depConstraints(allowTestkit) },
];

export default [
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/.lakegate', '.nx/**', '**/vitest.config.ts', 'vitest.shared.ts'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(false),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use a const object and a union type instead of enum.' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(true) },
  },
  {
    // Only the config library reads the environment (STYLE.md); projects that may are listed in
    // their own eslint.config.mjs with `readsEnvironment`.
    files: ['**/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read settings through @lakegate/config.' }] },
  },
];

/** For the config library, the testkit, tools and the CLI: they may read the environment. */
export const readsEnvironment = { files: ['**/*.ts'], rules: { 'no-restricted-properties': 'off' } };
