#!/usr/bin/env bash
# What `npm run bench` needs besides node_modules: wrk (Debian's package) as the load generator.
# Idempotent; uses sudo when not root. Not part of the test setup.
set -euo pipefail
if command -v wrk >/dev/null; then exit 0; fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
if command -v apt-get >/dev/null; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq wrk
else
  echo "bench/setup.sh: install wrk with your package manager (brew install wrk, dnf install wrk, ...)" >&2
  exit 1
fi
