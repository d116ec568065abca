#!/usr/bin/env bash
# System packages the test suite needs (Debian): a real Prometheus server for the lookout
# integration test. Idempotent and quiet; uses sudo when not root.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ -x "$here/prometheus/install.sh" ]; then
  bash "$here/prometheus/install.sh"
fi
if [ -x "$here/kafka/install.sh" ]; then bash "$here/kafka/install.sh"; fi  # librdkafka mock broker (kafka tests)
