#!/usr/bin/env bash
# A one-node Apache Kafka broker (KRaft) for tests and local runs, from the jars Maven fetched.
#
#   deploy/kafka/broker.sh fetch                      download the jars (Maven Central) into deploy/kafka/jars
#   deploy/kafka/broker.sh run [--port P] [--dir D] [--exit-with PID]
#       format storage in D (a temp dir by default; an already formatted D is reused, so a
#       broker restarted on the same D keeps its topics) and run the broker in the foreground
#       on 127.0.0.1:P (default 9092; the controller takes P+1)
#
# The broker stops on SIGTERM/SIGINT, or when process PID (--exit-with) is gone, so a test
# run that dies never leaves a broker behind. A temp dir it created is removed then.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jars="$here/jars"

fetch() {
  if [ -f "$jars/.complete" ]; then return 0; fi
  (cd "$here" && mvn -q -B dependency:copy-dependencies)
  touch "$jars/.complete"
}

run() {
  local port=9092 dir="" controller_port own_dir=0 parent=
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port="$2"; shift 2 ;;
      --dir) dir="$2"; shift 2 ;;
      --exit-with) parent="$2"; shift 2 ;;
      *) echo "broker.sh: unknown option $1" >&2; exit 2 ;;
    esac
  done
  [ -f "$jars/.complete" ] || fetch
  if [ -z "$dir" ]; then dir="$(mktemp -d -t runwatch-kafka-XXXXXX)"; own_dir=1; fi
  controller_port=$((port + 1))
  mkdir -p "$dir/data" "$dir/logs"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controller_port}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=${dir}/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=24
log.cleaner.backoff.ms=1000
PROPS
  local cp="$jars/*"
  # Small heap: one broker, one chDB and the tests share a 2-core machine.
  local jvm=(-Xms256m -Xmx512m -XX:+UseG1GC -Dlog4j.configuration="file:$here/log4j.properties" -Dkafka.logs.dir="$dir/logs")
  # Format once; a restart on the same dir keeps the cluster id, topics and offsets.
  if [ ! -f "$dir/data/meta.properties" ]; then
    java "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$(java "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid)" \
      -c "$dir/server.properties" >/dev/null
  fi
  java "${jvm[@]}" -cp "$cp" kafka.Kafka "$dir/server.properties" &
  local pid=$!
  # shellcheck disable=SC2317
  stop() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; [ "$own_dir" = 1 ] && rm -rf "$dir"; exit 0; }
  trap stop TERM INT
  if [ -n "$parent" ]; then
    while kill -0 "$pid" 2>/dev/null; do
      kill -0 "$parent" 2>/dev/null || stop
      sleep 1
    done
  fi
  wait "$pid"
}

case "${1:-}" in
  fetch) fetch ;;
  run) shift; run "$@" ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
