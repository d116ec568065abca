#!/usr/bin/env bash
# Runs a throw-away Prometheus in the foreground that scrapes one target every second and loads
# the lookout alert rules: handy to look at a service's /metrics in the Prometheus UI.
#   tools/prometheus/run.sh [target host:port (default 127.0.0.1:9494)] [web port (default 9090)]
# Data lives in a temp dir removed on exit. Needs tools/prometheus/install.sh first.
set -euo pipefail
TARGET="${1:-127.0.0.1:9494}"
WEB_PORT="${2:-9090}"
HERE="$(cd "$(dirname "$0")" && pwd)"
RULES="$HERE/../../packages/lookout/prometheus/alert-rules.yml"
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT
cat >"$DIR/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES
scrape_configs:
  - job_name: sofa-tracer
    static_configs:
      - targets: ['$TARGET']
YML
echo "Prometheus on http://127.0.0.1:$WEB_PORT scraping http://$TARGET/metrics (Ctrl-C to stop)"
exec prometheus --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/data" \
  --web.listen-address="127.0.0.1:$WEB_PORT" --log.level=warn
