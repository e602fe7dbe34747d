#!/usr/bin/env bash
# Measures, on this machine, with the Release build of `actorscheduler run` and the embedded emulator:
#   deploy_s            seconds from process start to deploy COMPLETE on a fresh data dir
#   restart_s           after `kill -9` mid-deploy (once `--kill-after` tasks run), seconds from the restart to COMPLETE
# Usage: bench/deploy-time.sh [--spec FILE] [--agents N] [--kill-after N] [-o KEY=VALUE ...] [--dll PATH]
#   --dll: run this actorscheduler.dll (a ReadyToRun publish, say) instead of building src/Hosting
# Prints one line: RESULT spec=… agents=… tasks=… deploy_s=… restart_s=… relaunched=…
set -euo pipefail
cd "$(dirname "$0")/.."

spec=examples/hello-world/svc.yml agents=3 kill_after=1 overrides=() dll=
while [ $# -gt 0 ]; do
  case "$1" in
    --spec) spec=$2; shift 2 ;;
    --agents) agents=$2; shift 2 ;;
    --kill-after) kill_after=$2; shift 2 ;;
    -o) overrides+=(-o "$2"); shift 2 ;;
    --dll) dll=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ -z "$dll" ]; then
  dotnet build src/Hosting -c Release -v q -nologo >/dev/null
  dll=src/Hosting/bin/Release/net10.0/actorscheduler.dll
fi
work=$(mktemp -d)
api=$((20000 + RANDOM % 10000)) master=$((30000 + RANDOM % 10000))

cleanup() {
  pkill -9 -f "$work" 2>/dev/null || true
  for p in /proc/[0-9]*; do
    case "$(readlink "$p/cwd" 2>/dev/null)" in "$work"/*) kill -9 "${p#/proc/}" 2>/dev/null || true ;; esac
  done
  rm -rf "$work"
}
trap cleanup EXIT

start() { # $1 = data dir, $2 = log; sets $pid
  dotnet "$dll" run "$spec" --data-dir "$1" --api-port "$api" --master-port "$master" --agents "$agents" -o SLEEP_DURATION=3600 "${overrides[@]}" >"$2" 2>&1 &
  pid=$!
}
stop() { # $1 = signal
  kill "-$1" "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
now() { date +%s.%N; }
running() { curl -s "http://127.0.0.1:$api/v1/pod/status" | grep -o TASK_RUNNING | wc -l; }
wait_complete() { # $1 = log
  for _ in $(seq 1 6000); do
    grep -q "deploy COMPLETE after" "$1" && return 0
    sleep 0.1
  done
  echo "timed out; log:" >&2; cat "$1" >&2; return 1
}

# 1. Fresh deploy.
t0=$(now); start "$work/a" "$work/a.log"; wait_complete "$work/a.log"; t1=$(now)
tasks=$(running)
stop TERM
cleanup_tasks() { for p in /proc/[0-9]*; do case "$(readlink "$p/cwd" 2>/dev/null)" in "$work"/*) kill -9 "${p#/proc/}" 2>/dev/null || true ;; esac; done; }
cleanup_tasks

# 2. kill -9 mid-deploy, then restart on the same data dir.
start "$work/b" "$work/b1.log"
for _ in $(seq 1 6000); do [ "$(running)" -ge "$kill_after" ] && break; sleep 0.1; done
stop KILL
t2=$(now); start "$work/b" "$work/b2.log"; wait_complete "$work/b2.log"; t3=$(now)
relaunched=$(find "$work/b" -path '*/volumes/*' -name output -exec sh -c 'test "$(wc -l < "$1")" -gt 1 && echo x' _ {} \; | wc -l)
stop TERM

printf 'RESULT spec=%s agents=%s tasks=%s deploy_s=%.1f restart_s=%.1f relaunched=%s\n' \
  "$spec" "$agents" "$tasks" "$(echo "$t1 - $t0" | awk '{print $1 - $3}')" "$(echo "$t3 - $t2" | awk '{print $1 - $3}')" "$relaunched"
