#!/usr/bin/env bash
# Makes sure the system tools that the test suite starts for real are installed, so that `npm test`
# on a fresh Debian/Ubuntu machine needs nothing done by hand. As root it installs what is missing
# with apt-get; otherwise it names the command to run and fails. Tests never skip for want of a tool:
# a green run without them would prove nothing.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

# Debian package → the commands the tests run from it.
#   logrotate: real rotation tests; prometheus: scrape and rule tests (prometheus, promtool);
#   mtail: the ingest benchmark's yardstick; redis-server: fleet tests (agents and brains sharing state); prometheus-alertmanager: the Alertmanager destination's
#   tests (an HA pair on loopback) and the deploy config check (prometheus-alertmanager, amtool).
declare -A PACKAGE_COMMANDS=(
  [redis-server]="redis-server"
  [logrotate]="logrotate"
  [prometheus]="prometheus promtool"
  [mtail]="mtail"
  [prometheus-alertmanager]="prometheus-alertmanager amtool"
)

missing=()
for pkg in "${!PACKAGE_COMMANDS[@]}"; do
  for cmd in ${PACKAGE_COMMANDS[$pkg]}; do
    command -v "$cmd" >/dev/null || { missing+=("$pkg"); break; }
  done
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "provision-test-tools: missing ${missing[*]}; install with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "provision-test-tools: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for pkg in "${missing[@]}"; do
  for cmd in ${PACKAGE_COMMANDS[$pkg]}; do
    command -v "$cmd" >/dev/null || { echo "provision-test-tools: '$cmd' still missing after installing $pkg" >&2; exit 1; }
  done
done
