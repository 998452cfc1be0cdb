#!/usr/bin/env bash
# npm test: set up what is missing, then check and test the whole workspace.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/scripts/ensure-setup.sh --with-nats
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
rm -f apps/*/out-tsc/vitest-results.json libs/*/out-tsc/vitest-results.json tools/*/out-tsc/vitest-results.json

echo "== nx sync:check"
npx nx sync:check
echo "== lint, typecheck, build"
npx nx run-many -t lint typecheck build --outputStyle=static
echo "== tests"
status=0
npx nx run-many -t test --outputStyle=static --parallel=2 || status=$?
node tools/scripts/test-summary.mjs || status=$?
exit $status
