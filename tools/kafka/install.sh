#!/usr/bin/env bash
# Installs Debian's `librdkafka1`, whose built-in mock cluster is the Kafka-protocol broker of the
# @sofa-tracer/kafka tests (tools/kafka/mock-broker.py). Idempotent and quiet; sudo when not root.
set -euo pipefail

has_librdkafka() {
  # no `grep -q`: under pipefail its early exit would fail the pipeline with SIGPIPE
  { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep 'librdkafka\.so\.1' >/dev/null
}

if has_librdkafka; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends librdkafka1 >/dev/null
has_librdkafka
echo "installed librdkafka1 $(dpkg-query -W -f='${Version}' librdkafka1 2>/dev/null || true)"
