#!/bin/bash
# Time from `make run` to the first answer of /v1/query, with every line of its output
# timestamped (seconds since `make run` started), as a newcomer meets it.
#
#   bench/first_run.sh cold [REPO [BRANCH]]  fresh clone in an empty folder, empty uv cache,
#                                            empty HOME (so the model file is not assembled)
#   bench/first_run.sh warm OUT              again in the clone of that cold run (OUT is the
#                                            folder it printed): uv cache full, model assembled
#
# Needs port 8080 free. Prints the folder holding `log` (the timeline) and `answer.json`.
# REPO defaults to this checkout, BRANCH to its current branch.
set -euo pipefail
MODE=${1:?cold or warm}
if [ "$MODE" = cold ]; then
  REPO=${2:-$(git rev-parse --show-toplevel)}
  BRANCH=${3:-$(git -C "$REPO" rev-parse --abbrev-ref HEAD)}
  OUT=$(mktemp -d /tmp/first-run.XXXX)
  git clone -q --branch "$BRANCH" "$REPO" "$OUT/repo"
  mkdir "$OUT/uv-cache" "$OUT/home"
else
  OUT=${2:?the folder of a cold run}
fi
export UV_CACHE_DIR=$OUT/uv-cache HOME=$OUT/home
# pyenv (which provides python3.12 and uv here) must not look for itself in the empty HOME
export PYENV_ROOT=${PYENV_ROOT:-/root/.pyenv}
LOG=$OUT/log.$MODE
cd "$OUT/repo"
echo "load average at start: $(cat /proc/loadavg)" > "$LOG"
T0=$EPOCHREALTIME
export T0
# its own session, so that stopping it afterwards stops make, uv and the service together
setsid bash -c 'make run 2>&1 | while IFS= read -r line; do
  printf "%7.1f %s\n" "$(echo "$EPOCHREALTIME - $T0" | bc)" "$line"; done' \
  < /dev/null >> "$LOG" 2>&1 &
SESSION=$!
code=000
while [ "$code" != 200 ]; do
  sleep 1
  code=$(curl -s -o "$OUT/answer.json" -w '%{http_code}' -m 300 localhost:8080/v1/query \
    -H 'content-type: application/json' -d '{"query":"What is Kubernetes?"}' || true)
  if [ "$(echo "$EPOCHREALTIME - $T0 > 900" | bc)" = 1 ]; then echo "no answer in 15 min" >> "$LOG"; break; fi
done
printf '%7.1f FIRST ANSWER (HTTP %s)\n' "$(echo "$EPOCHREALTIME - $T0" | bc)" "$code" >> "$LOG"
echo "load average at end: $(cat /proc/loadavg)" >> "$LOG"
kill -TERM -- "-$SESSION" 2>/dev/null || true
sleep 5
kill -KILL -- "-$SESSION" 2>/dev/null || true
echo "$OUT"
