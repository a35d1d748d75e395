#!/bin/sh
# Run agent-workflow-exporter around a workflow in any CI system: start it in the background,
# wait until it answers, run the workflow, collect the metrics once the exporter has read what the
# workflow wrote, stop it.
#
#   run-in-ci.sh run -- COMMAND [ARG...]   all four steps; exits with COMMAND's status
#   run-in-ci.sh start                     start in the background, wait until it answers
#   run-in-ci.sh collect                   wait for a poll that began after now, save /metrics
#   run-in-ci.sh stop                      SIGTERM, wait for the exit (SIGKILL after EXPORTER_TIMEOUT)
#
# Settings (environment):
#   EXPORTER_JAR        the exporter's jar                  (default: exporter.jar)
#   EXPORTER_DB         the workflow's database             (default: logs/agent_workflow.db)
#   EXPORTER_PORT       port on 127.0.0.1                   (default: 9091)
#   EXPORTER_INTERVAL   seconds between polls               (default: 2)
#   METRICS_FILE        where collect saves the metrics     (default: agent-workflow-metrics.prom)
#   EXPORTER_STATE      folder for the pid file, the log    (default: .agent-workflow-exporter)
#                       and the exporter's state file, which keeps its counts from one run to the
#                       next when the folder is kept (a CI cache); AGENT_WORKFLOW_EXPORTER_STATE_FILE
#                       names another state file
#   EXPORTER_TIMEOUT    seconds to wait for each step       (default: 60)
# Needs java, and curl or wget.
set -eu

jar=${EXPORTER_JAR:-exporter.jar}
db=${EXPORTER_DB:-logs/agent_workflow.db}
port=${EXPORTER_PORT:-9091}
interval=${EXPORTER_INTERVAL:-2}
metrics_file=${METRICS_FILE:-agent-workflow-metrics.prom}
state=${EXPORTER_STATE:-.agent-workflow-exporter}
timeout=${EXPORTER_TIMEOUT:-60}
base="http://127.0.0.1:$port"

say() { echo "run-in-ci: $*" >&2; }

fetch() { # fetch PATH: the body on stdout, non-zero unless 200
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 5 "$base$1"
  else
    wget -q -T 5 -O - "$base$1"
  fi
}

# Java names files in the locale's character set: with none (LANG unset or C, as in many CI containers)
# it cannot open a database whose path is not ASCII. The exporter runs in the caller's locale if that
# is UTF-8, else in C.UTF-8; the workflow keeps the caller's.
utf8_locale() {
  case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
    *[Uu][Tt][Ff]8* | *[Uu][Tt][Ff]-8*) echo "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" ;;
    *) echo C.UTF-8 ;;
  esac
}

start() {
  mkdir -p "$state"
  LC_ALL=$(utf8_locale) java -jar "$jar" --db "$db" --bind 127.0.0.1 --port "$port" --interval "$interval" \
    --state-file "${AGENT_WORKFLOW_EXPORTER_STATE_FILE:-$state/exporter.state}" >"$state/exporter.log" 2>&1 &
  echo $! >"$state/exporter.pid"
  waited=0
  # An exporter that did not start leaves no pid file behind: a later stop (a CI step run "always")
  # would otherwise signal whatever process has that number by then.
  until fetch /-/healthy >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$state/exporter.pid")" 2>/dev/null; then
      rm -f "$state/exporter.pid"
      say "the exporter exited; its log:"
      cat "$state/exporter.log" >&2
      exit 1
    fi
    if [ "$waited" -ge "$timeout" ]; then
      say "no answer on $base after ${timeout}s; its log:"
      cat "$state/exporter.log" >&2
      stop
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  say "exporter ready on $base (pid $(cat "$state/exporter.pid")), reading $db"
}

collect() {
  # A poll that succeeded a whole second after now began after now, so it has read everything
  # committed before this step (a poll takes milliseconds).
  after=$(($(date +%s) + 1))
  waited=0
  while :; do
    last=$(fetch /metrics 2>/dev/null |
      awk '$1 == "agent_workflow_exporter_last_poll_success_timestamp_seconds" { printf "%d", $2 }')
    [ "${last:-0}" -lt "$after" ] || break
    if [ ! -e "$db" ]; then
      say "$db does not exist: the workflow wrote nothing; saving what the exporter says"
      break
    fi
    if [ "$waited" -ge "$timeout" ]; then
      fetch /metrics >"$metrics_file" || true
      say "no successful poll after ${timeout}s, metrics saved as they are; see $state/exporter.log"
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  fetch /metrics >"$metrics_file"
  say "metrics saved to $metrics_file"
}

stop() {
  [ -f "$state/exporter.pid" ] || { say "not started"; return 0; }
  pid=$(cat "$state/exporter.pid")
  if kill -TERM "$pid" 2>/dev/null; then
    waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$timeout" ]; do
      sleep 1
      waited=$((waited + 1))
    done
    if kill -KILL "$pid" 2>/dev/null; then
      say "the exporter did not stop within ${timeout}s of SIGTERM; killed"
    fi
  fi
  rm -f "$state/exporter.pid"
  say "exporter stopped"
}

case "${1:-}" in
  start) start ;;
  collect) collect ;;
  stop) stop ;;
  run)
    shift
    [ "${1:-}" = "--" ] && shift
    [ "$#" -gt 0 ] || { say "usage: $0 run -- COMMAND [ARG...]"; exit 2; }
    start
    trap stop EXIT
    status=0
    "$@" || status=$?
    collected=0
    collect || collected=$?
    # the workflow's failure is the news; a failed collection matters only when it succeeded
    [ "$status" -ne 0 ] && exit "$status"
    exit "$collected"
    ;;
  *)
    say "usage: $0 run -- COMMAND [ARG...] | start | collect | stop"
    exit 2
    ;;
esac
