import { join } from 'node:path';
import { defineProject } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

const shared = sharedTestConfig(import.meta.dirname);

// Until `npm install` links the new workspace package into node_modules/@lakegate, tests find the
// emulator through this alias (and tsconfig.spec.json's `paths`). Remove both once it is linked.
export default defineProject({
  ...shared,
  resolve: { ...shared.resolve, alias: { '@lakegate/gcp-emulators': join(import.meta.dirname, '../../tools/gcp-emulators/src/index.ts') } },
});
