#!/usr/bin/env bash
# Static checks of the Prometheus files with promtool (installs nothing):
#   - prometheus.yml is a valid configuration (and so is the commented Kubernetes job,
#     uncommented into a temporary copy);
#   - alerts.yml holds valid rules;
#   - alerts.test.yml: every alert fires, and stays quiet, where it should.
# promtool comes with Debian's package `prometheus` (2.42: /usr/bin/promtool):
#   apt-get install -y --no-install-recommends prometheus
#
#   bash deploy/observability/check.sh
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"

PROMTOOL=${PROMTOOL:-promtool}
if ! command -v "$PROMTOOL" >/dev/null; then
  echo "observability: promtool not found (PROMTOOL=$PROMTOOL); install Debian's package 'prometheus'" >&2
  echo "  (apt-get install -y --no-install-recommends prometheus) and run this again" >&2
  exit 127
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "--- promtool check config prometheus.yml"
"$PROMTOOL" check config prometheus.yml

echo "--- promtool check config (the commented Kubernetes job, uncommented)"
cp alerts.yml "$tmp/"
{
  sed -n '1,/^  # - job_name: group-messages-pods/p' prometheus.yml | sed '$d'
  sed -n '/^  # - job_name: group-messages-pods/,$p' prometheus.yml | sed 's/^  # /  /'
} >"$tmp/prometheus-k8s.yml"
grep -q '^  - job_name: group-messages-pods' "$tmp/prometheus-k8s.yml" ||
  { echo "observability: the commented Kubernetes job was not found in prometheus.yml" >&2; exit 1; }
if ! "$PROMTOOL" check config "$tmp/prometheus-k8s.yml" >"$tmp/k8s.out" 2>&1; then
  if ! grep -q 'field kubernetes_sd_configs not found' "$tmp/k8s.out"; then
    cat "$tmp/k8s.out" >&2
    exit 1
  fi
  # Debian's build has no Kubernetes discovery: check the rest of the job (its relabel
  # rules) with a static target in place of kubernetes_sd_configs.
  echo "  (this promtool has no Kubernetes discovery; checking the job with a static target instead)"
  sed -i '/^    kubernetes_sd_configs:/,/^ *names:/c\    static_configs:\n      - targets: ['"'"'10.0.0.1:3006'"'"']' "$tmp/prometheus-k8s.yml"
  grep -q '^    relabel_configs:' "$tmp/prometheus-k8s.yml" ||
    { echo "observability: could not replace kubernetes_sd_configs in the Kubernetes job" >&2; exit 1; }
  "$PROMTOOL" check config "$tmp/prometheus-k8s.yml"
else
  cat "$tmp/k8s.out"
fi

echo "--- promtool check rules alerts.yml"
"$PROMTOOL" check rules alerts.yml

echo "--- promtool test rules alerts.test.yml"
"$PROMTOOL" test rules alerts.test.yml

echo "observability: prometheus.yml, alerts.yml and alerts.test.yml OK"
