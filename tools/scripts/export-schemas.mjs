// Writes the published message schemas to docs/schemas (run after a build: npm run schemas).
import { mkdirSync, writeFileSync } from 'node:fs';
import { PUBLISHED_SCHEMAS, toJsonSchema } from '../../libs/contracts/dist/index.js';

mkdirSync('docs/schemas', { recursive: true });
for (const [file, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
  writeFileSync(`docs/schemas/${file}`, `${JSON.stringify(toJsonSchema(schema), null, 2)}\n`);
  console.log(`docs/schemas/${file}`);
}
