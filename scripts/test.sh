#!/usr/bin/env bash
# `npm test`: the whole gate on a fresh machine. Provisions the system tools the suite starts and a
# supported Node.js (the one on PATH when it is 22.12+, else Node 24 from the npm registry), then runs
# lint, type-check, build and the vitest suite on that Node.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/provision-test-tools.sh
node_bin="$(bash scripts/provision-node.sh)"
export PATH="$node_bin:$PATH"
echo "test: Node $(node --version) ($(command -v node))"
npm run --silent gate
