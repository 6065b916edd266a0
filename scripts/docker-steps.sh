#!/usr/bin/env bash
# Replays the Dockerfile on this machine, without a Docker engine: its WORKDIR / ENV / COPY / RUN steps in
# order, each stage in its own directory under a temp root (an image path /app of stage `runtime` becomes
# $ROOT/runtime/app), then starts the final stage's ENTRYPOINT + CMD, waits for its HEALTHCHECK to pass,
# sends its STOPSIGNAL and requires exit 0 within the shutdown deadline.
#
# What it cannot replay, and says so as it goes:
#   - FROM: the base image is this host (CI runs it on Node 24, the major of node:24-bookworm-slim);
#   - RUN lines doing root image setup (apt-get, useradd, chown): skipped; the directories they would
#     create are created in the stage root, VOLUME directories too;
#   - USER: processes run as the current user; COPY --chown: ownership is ignored;
#   - an ENTRYPOINT init (/usr/bin/tini) missing on the host: dropped, so the signal goes to node directly;
#   - .dockerignore: COPY takes the named paths as they are (the Dockerfile copies named paths only).
# The start step overwrites the image's /etc/sentinel/sentinel.yaml with a config pointing at a temp log
# directory and a free port (as a ConfigMap mount would), and rewrites the HEALTHCHECK's port to match.
#
# Usage: scripts/docker-steps.sh [--keep] [--context DIR] [--dockerfile FILE]
#   --context DIR      build context (default: the repository); --dockerfile default: DIR/Dockerfile
#   --keep             keep the temp root for inspection
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
DOCKERFILE=""
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) KEEP=1 ;;
    --context) REPO="$(cd "$2" && pwd)"; shift ;;
    --dockerfile) DOCKERFILE="$2"; shift ;;
    *) echo "usage: $0 [--keep] [--context DIR] [--dockerfile FILE]" >&2; exit 2 ;;
  esac
  shift
done
DOCKERFILE="${DOCKERFILE:-$REPO/Dockerfile}"

ROOT="$(mktemp -d "${TMPDIR:-/tmp}/sentinel-docker-steps.XXXXXX")"
CHILD=""
cleanup() {
  if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then kill -KILL "$CHILD" 2>/dev/null || true; fi
  if [ "$KEEP" = 1 ]; then echo "docker-steps: kept $ROOT"; else rm -rf "$ROOT"; fi
}
trap cleanup EXIT

step=0
say() { step=$((step + 1)); printf '\n[docker-steps %02d] %s\n' "$step" "$*"; }
note() { printf '    %s\n' "$*"; }
fail() { printf '\ndocker-steps: FAILED: %s\n' "$*" >&2; exit 1; }

# JSON exec form → one argument per line (node is on the host: the image runs it too).
json_args() { node -e 'for (const a of JSON.parse(process.argv[1])) console.log(a)' "$1"; }

stage=""
stage_root=""
workdir="/"
declare -A stage_dirs=()
declare -a env_names=() env_values=()
entrypoint_json=""
cmd_json=""
health_json=""
stopsignal="SIGTERM"
run_user=""

# Image path → host path inside the current (or named) stage's root.
host_path() { # $1 path (absolute or relative to workdir), $2 optional stage root
  local p="$1" r="${2:-$stage_root}"
  case "$p" in /*) printf '%s%s' "$r" "$p" ;; *) printf '%s%s/%s' "$r" "$workdir" "$p" ;; esac
}

run_env() { # runs "$@" with the stage's ENV applied
  local -a pairs=()
  local i
  for i in "${!env_names[@]}"; do pairs+=("${env_names[$i]}=${env_values[$i]}"); done
  env "${pairs[@]}" "$@"
}

do_from() {
  local args="$1" name
  name="$(sed -nE 's/.*[[:space:]][Aa][Ss][[:space:]]+([A-Za-z0-9_.-]+)[[:space:]]*$/\1/p' <<<"$args")"
  [ -n "$name" ] || name="stage$((${#stage_dirs[@]}))"
  stage="$name"
  stage_root="$ROOT/$name"
  stage_dirs[$name]="$stage_root"
  workdir="/"
  env_names=() env_values=()
  entrypoint_json="" cmd_json="" health_json="" run_user=""
  mkdir -p "$stage_root"
  say "FROM $args"
  note "base image = this host ($(node --version)); stage root $stage_root"
}

do_workdir() {
  workdir="$1"
  mkdir -p "$(host_path "$workdir")"
  say "WORKDIR $1"
  note "→ $(host_path "$workdir")"
}

do_env() {
  say "ENV $1"
  local name value
  if [[ "$1" == *=* ]]; then
    # Only the NAME=VALUE form (one pair) is used in our Dockerfile.
    name="${1%%=*}"; value="${1#*=}"
  else
    name="${1%% *}"; value="${1#* }"
  fi
  env_names+=("$name"); env_values+=("$value")
}

do_copy() {
  local args="$1" from="" word
  local -a words=()
  read -r -a words <<<"$args"
  local -a rest=()
  for word in "${words[@]}"; do
    case "$word" in
      --from=*) from="${word#--from=}" ;;
      --chown=* | --chmod=* | --link) note "ignored flag $word" ;;
      *) rest+=("$word") ;;
    esac
  done
  say "COPY $args"
  local dest="${rest[-1]}" n=$((${#rest[@]} - 1)) i src_root
  if [ -n "$from" ]; then
    [ -n "${stage_dirs[$from]:-}" ] || fail "COPY --from=$from: no such stage"
    src_root="${stage_dirs[$from]}"
  fi
  local dest_host
  dest_host="$(host_path "$dest")"
  for ((i = 0; i < n; i++)); do
    local src="${rest[$i]}" src_host
    if [ -n "$from" ]; then src_host="$src_root$src"; else src_host="$REPO/$src"; fi
    [ -e "$src_host" ] || fail "COPY source missing: $src_host"
    if [[ "$dest" == */ ]] || [ "$n" -gt 1 ]; then
      mkdir -p "$dest_host"
      if [ -d "$src_host" ]; then cp -a "$src_host/." "$dest_host/"; else cp -a "$src_host" "$dest_host/"; fi
    else
      mkdir -p "$(dirname "$dest_host")"
      if [ -d "$src_host" ]; then mkdir -p "$dest_host" && cp -a "$src_host/." "$dest_host/"; else cp -a "$src_host" "$dest_host"; fi
    fi
    note "$src_host → $dest_host"
  done
}

do_run() {
  local cmd="$1"
  say "RUN $cmd"
  if grep -Eq '(^|[[:space:]&;|])(apt-get|apk|useradd|groupadd|adduser|chown)([[:space:]]|$)' <<<"$cmd"; then
    note "skipped: root image setup (packages, users, ownership) that only an image build does"
    # Keep the directories such a line creates, so later steps find them.
    local dir
    for dir in $(grep -oE 'mkdir -p( +/[^ &;|]+)+' <<<"$cmd" | sed 's/^mkdir -p//'); do
      mkdir -p "$stage_root$dir"
      note "created $stage_root$dir"
    done
    return
  fi
  local cwd
  cwd="$(host_path "$workdir")"
  (cd "$cwd" && run_env bash -euo pipefail -c "$cmd") || fail "RUN exited non-zero: $cmd"
}

do_volume() {
  say "VOLUME $1"
  local v
  while IFS= read -r v; do
    mkdir -p "$stage_root$v"
    note "created $stage_root$v"
  done < <(json_args "$1")
}

# ---- read the Dockerfile: join continuation lines, drop comments ----------------------------------------
[ -f "$DOCKERFILE" ] || fail "no Dockerfile at $DOCKERFILE"
declare -A build_args=()
mapfile -t instructions < <(sed -e '/^[[:space:]]*#/d' "$DOCKERFILE" | sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*/ /; ta' | sed -e '/^[[:space:]]*$/d')

echo "docker-steps: replaying $DOCKERFILE in $ROOT"
for line in "${instructions[@]}"; do
  keyword="${line%%[[:space:]]*}"
  keyword="${keyword^^}"
  args="$(sed -E 's/^[[:space:]]*[A-Za-z]+[[:space:]]+//' <<<"$line")"
  case "$keyword" in
    ARG)
      name="${args%%=*}"; build_args[$name]="${args#*=}"
      say "ARG $args" ;;
    FROM) do_from "$args" ;;
    WORKDIR) do_workdir "$args" ;;
    ENV) do_env "$args" ;;
    COPY | ADD) do_copy "$args" ;;
    RUN) do_run "$args" ;;
    USER)
      run_user="$args"
      say "USER $args"
      note "processes run as $(id -un) here; the image runs them as '$args'" ;;
    VOLUME) do_volume "$args" ;;
    EXPOSE) say "EXPOSE $args" ;;
    STOPSIGNAL) stopsignal="$args"; say "STOPSIGNAL $args" ;;
    HEALTHCHECK)
      health_json="$(sed -nE 's/.*CMD[[:space:]]+(\[.*\])[[:space:]]*$/\1/p' <<<"$args")"
      [ -n "$health_json" ] || fail "HEALTHCHECK must use the exec form: $args"
      say "HEALTHCHECK $args" ;;
    ENTRYPOINT) entrypoint_json="$args"; say "ENTRYPOINT $args" ;;
    CMD) cmd_json="$args"; say "CMD $args" ;;
    LABEL | SHELL | ONBUILD | MAINTAINER) say "$keyword $args (nothing to do)" ;;
    *) fail "unknown instruction: $line" ;;
  esac
done

# ---- the runtime stage holds production dependencies only -----------------------------------------------
app_dir="$(host_path "$workdir")"
build_lock="$(ls "$ROOT"/*/app/package-lock.json 2>/dev/null | head -n 1 || true)"
if [ -n "$build_lock" ] && [ -d "$app_dir/node_modules" ]; then
  say "check: no dev-only package in $workdir/node_modules"
  # The build stage's lockfile marks packages only devDependencies need ("dev": true); a devDependency
  # that a production package also requires (@types/node for the Slack SDK) is not dev-only.
  dev_present="$(cd "$app_dir" && node -e '
    const fs = require("node:fs");
    const lock = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const dev = Object.entries(lock.packages).filter(([path, p]) => p.dev && path && fs.existsSync(path));
    console.log(dev.map(([path]) => path.replace(/^.*node_modules\//, "")).slice(0, 10).join(" "));' "$build_lock")"
  [ -z "$dev_present" ] || fail "dev-only packages in the runtime image: $dev_present"
  note "none; image app size $(du -sh "$app_dir" | cut -f1) (node_modules $(du -sh "$app_dir/node_modules" | cut -f1))"
fi

# ---- start the final stage's command, as `docker run` would ---------------------------------------------
[ -n "$entrypoint_json" ] || fail "the final stage has no ENTRYPOINT"
mapfile -t command_args < <(json_args "$entrypoint_json"; [ -n "$cmd_json" ] && json_args "$cmd_json")

say "start: ${command_args[*]}"
LOG_DIR="$ROOT/host-logs"
STATE_DIR="$ROOT/host-state"
mkdir -p "$LOG_DIR" "$STATE_DIR"
PORT="$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"

# Map image paths onto the stage root; drop an init the host lacks.
declare -a start=()
config_host=""
for ((i = 0; i < ${#command_args[@]}; i++)); do
  a="${command_args[$i]}"
  if [ "$i" -eq 0 ] && [[ "$(basename "$a")" == tini ]]; then
    if command -v tini >/dev/null; then start+=("$(command -v tini)")
    else
      note "no tini on this host: dropping '$a ${command_args[$((i + 1))]:-}', the signal goes to node directly"
      [ "${command_args[$((i + 1))]:-}" = "--" ] && i=$((i + 1))
    fi
    continue
  fi
  if [[ "$a" == /* ]] && [ -e "$stage_root$a" ]; then a="$stage_root$a"; fi
  if [ "${command_args[$((i - 1))]:-}" = "--config" ]; then config_host="$a"; fi
  start+=("$a")
done
[ -n "$config_host" ] || fail "the image's command names no --config file"
# As a ConfigMap mount would: our own config over the image's default.
cat >"$config_host" <<EOF
sources:
  - name: docker-steps
    paths: ["$LOG_DIR/*.log"]
    start_at: beginning
state_dir: $STATE_DIR
server:
  port: $PORT
  host: 127.0.0.1
EOF
note "config $config_host: logs $LOG_DIR, state $STATE_DIR, port $PORT"
printf '{"level":"info","msg":"docker-steps started"}\n' >"$LOG_DIR/pipeline.log"

OUT="$ROOT/start.out"
# No key or webhook from the caller's shell reaches the agent: it must start on its defaults.
(
  unset SLACK_WEBHOOK_URL GOOGLE_API_KEY GEMINI_API_KEY
  cd "$(host_path "$workdir")"
  pairs=()
  for i in "${!env_names[@]}"; do pairs+=("${env_names[$i]}=${env_values[$i]}"); done
  # exec: the signal we send below goes to the image's command itself, as `docker stop` does.
  exec env "${pairs[@]}" "${start[@]}"
) >"$OUT" 2>&1 &
CHILD=$!
note "pid $CHILD, output in $OUT"

mapfile -t health_args < <(json_args "$health_json")
# The image probes its default port; ours is a free one.
for ((i = 0; i < ${#health_args[@]}; i++)); do
  health_args[$i]="$(sed -E "s#(127\.0\.0\.1|localhost):[0-9]+#127.0.0.1:$PORT#g" <<<"${health_args[$i]}")"
done
say "HEALTHCHECK until it passes: ${health_args[*]}"
deadline=$((SECONDS + 20))
until "${health_args[@]}" 2>/dev/null; do
  if ! kill -0 "$CHILD" 2>/dev/null; then
    wait "$CHILD" && rc=0 || rc=$?
    echo "---- output ----"; tail -n 40 "$OUT"
    fail "the container command exited ($rc) before its health check passed"
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "---- output ----"; tail -n 40 "$OUT"
    fail "health check still failing after 20 s"
  fi
  sleep 0.2
done
note "healthy"

# Beyond liveness: ready (config, sources, notifier), and the line written before start was read.
if printf '%s\n' "${command_args[@]}" | grep -qx run; then
  say "ready: /readyz 200 and sentinel_log_lines_total{source=\"docker-steps\"} 1 on /metrics"
  node -e '
    const base = process.argv[1];
    const deadline = Date.now() + 15000;
    (async () => {
      let seen = "";
      while (Date.now() < deadline) {
        try {
          const ready = await fetch(`${base}/readyz`);
          const metrics = await (await fetch(`${base}/metrics`)).text();
          seen = `readyz ${ready.status}; ${metrics.split("\n").filter((l) => l.startsWith("sentinel_log_lines_total")).join(", ")}`;
          if (ready.ok && metrics.includes("sentinel_log_lines_total{source=\"docker-steps\"} 1")) process.exit(0);
        } catch (error) { seen = String(error); }
        await new Promise((r) => setTimeout(r, 200));
      }
      console.error(`not ready after 15 s: ${seen}`);
      process.exit(1);
    })();' "http://127.0.0.1:$PORT" || { echo "---- output ----"; tail -n 40 "$OUT"; fail "the agent did not become ready or did not read its log"; }
  note "ready, 1 line read"
fi

sig="${stopsignal#SIG}"
say "stop: kill -$sig $CHILD, expect exit 0 within 12 s (agent deadline 8 s)"
kill -"$sig" "$CHILD"
deadline=$((SECONDS + 12))
while kill -0 "$CHILD" 2>/dev/null; do
  if [ $SECONDS -ge $deadline ]; then
    echo "---- output ----"; tail -n 40 "$OUT"
    fail "still running 12 s after $stopsignal"
  fi
  sleep 0.1
done
wait "$CHILD" && rc=0 || rc=$?
CHILD=""
if [ "$rc" -ne 0 ]; then
  echo "---- output ----"; tail -n 40 "$OUT"
  fail "exit code $rc after $stopsignal (want 0)"
fi
note "exit 0"
echo
echo "docker-steps: OK ($step steps)"
