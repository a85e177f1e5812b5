#!/usr/bin/env bash
# stream-cost.sh: what does loadgen's CPU pay for one streamed LLM answer,
# next to one plain SigV4-signed InvokeEndpoint request, and how much memory
# does a long streaming test take?
#
# One run, side by side, the server pinned to one core and loadgen to the
# other:
#   plain   loadgen -client fast at PLAIN_RATE req/s for DURATION against
#           bench/minserver (1 KiB body)
#   stream  loadgen -stream -format tgi at STREAM_RATE streams/s for DURATION
#           against bench/streamserver (the tests' fake LLM endpoint: real
#           event stream frames, TOKENS tokens per answer, one every STEP)
# and prints the generator's CPU time (user+sys) per request and per
# stream, and their ratio (aim: a stream costs at most 3 requests). Then it
# runs RSS_STREAMS streams at RSS_RATE under /usr/bin/time -v and prints
# loadgen's peak RSS (aim: <= 64 MiB for 100,000 streams of 200 tokens).
#
# Everything stays on 127.0.0.1. Requires: go, taskset, /usr/bin/time, jq.
# Usage: bench/stream-cost.sh
# Env:   DURATION=10s PLAIN_RATE=2000 STREAM_RATE=50 TOKENS=200 STEP=1ms
#        RSS_STREAMS=100000 RSS_RATE=500 (RSS_STREAMS=0 skips it)
#        PORT=18080 SERVER_CPU=0 CLIENT_CPU=1
set -euo pipefail

DURATION=${DURATION:-10s}
PLAIN_RATE=${PLAIN_RATE:-2000}
STREAM_RATE=${STREAM_RATE:-50}
TOKENS=${TOKENS:-200}
STEP=${STEP:-1ms}
RSS_STREAMS=${RSS_STREAMS:-100000}
RSS_RATE=${RSS_RATE:-500}
PORT=${PORT:-18080}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server_pid=
stop_server() {
	if [[ -n $server_pid ]]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=
	fi
}
cleanup() {
	stop_server
	rm -rf "$work"
}
trap cleanup EXIT

echo "building loadgen, minserver and streamserver..." >&2
(cd "$root" && go build -o "$work/loadgen" ./cmd/loadgen && go build -o "$work/minserver" ./bench/minserver &&
	go build -o "$work/streamserver" ./bench/streamserver)

export AWS_ACCESS_KEY_ID=AKIDBENCHMARK AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

printf '{"instances":[["%s"]]}' "$(head -c 1000 /dev/zero | tr '\0' 'x')" | head -c 1024 >"$work/payload.json"
printf '{"inputs":"%s","parameters":{"max_new_tokens":%d}}' "$(printf 'word %.0s' $(seq 100))" "$TOKENS" >"$work/prompt.json"
common=(-endpoint bench -interval 1s -timeout 30s -grace 10s -progress off -fail-fast 0 -max-in-flight 5000)

# cpu_per_ok FILE prints "OK CPU_US_PER_OK MAX_SEND_LAG_US DROPPED" from a
# run's output and the CPU time in $work/cpu.txt.
cpu_per_ok() {
	tail -n 1 "$1" | jq -r --argjson cpu "$(awk '{print $1 + $2}' "$work/cpu.txt")" \
		'"\(.ok) \(if .ok > 0 then $cpu * 1e6 / .ok else 0 end) \(.max_send_lag_us) \(.dropped)"'
}

taskset -c "$SERVER_CPU" "$work/minserver" -addr "127.0.0.1:$PORT" &
server_pid=$!
for _ in $(seq 50); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
	sleep 0.1
done
/usr/bin/time -f '%U %S' -o "$work/cpu.txt" taskset -c "$CLIENT_CPU" "$work/loadgen" "${common[@]}" \
	-endpoint-url "http://127.0.0.1:$PORT" -payload "$work/payload.json" -rate "$PLAIN_RATE" -duration "$DURATION" \
	-output "$work/plain.jsonl" || true
read -r plain_ok plain_us plain_lag plain_drop < <(cpu_per_ok "$work/plain.jsonl")
stop_server

taskset -c "$SERVER_CPU" "$work/streamserver" -tokens "$TOKENS" -step "$STEP" >"$work/url.txt" &
server_pid=$!
for _ in $(seq 50); do
	if [[ -s $work/url.txt ]]; then break; fi
	sleep 0.1
done
url=$(head -n 1 "$work/url.txt")
/usr/bin/time -f '%U %S' -o "$work/cpu.txt" taskset -c "$CLIENT_CPU" "$work/loadgen" "${common[@]}" -stream -format tgi \
	-endpoint-url "$url" -payload "$work/prompt.json" -rate "$STREAM_RATE" -duration "$DURATION" \
	-output "$work/stream.jsonl" || true
read -r stream_ok stream_us stream_lag stream_drop < <(cpu_per_ok "$work/stream.jsonl")
tokens=$(tail -n 1 "$work/stream.jsonl" | jq -r '.stream.output_tokens')

printf '%-8s %10s %14s %16s %8s\n' run ok "CPU µs each" "max send lag µs" dropped
printf '%-8s %10s %14.1f %16s %8s\n' plain "$plain_ok" "$plain_us" "$plain_lag" "$plain_drop"
printf '%-8s %10s %14.1f %16s %8s   (%s tokens, %s per answer)\n' stream "$stream_ok" "$stream_us" "$stream_lag" "$stream_drop" "$tokens" "$TOKENS"
printf 'CPU per %s-token stream / CPU per plain signed request: %.2f (aim <= 3)\n' "$TOKENS" "$(jq -n "$stream_us / $plain_us")"

if ((RSS_STREAMS > 0)); then
	/usr/bin/time -v taskset -c "$CLIENT_CPU" "$work/loadgen" "${common[@]}" -stream -format tgi -endpoint-url "$url" \
		-payload "$work/prompt.json" -rate "$RSS_RATE" -requests "$RSS_STREAMS" -output "$work/rss.jsonl" 2>"$work/time.txt" || true
	done_streams=$(tail -n 1 "$work/rss.jsonl" | jq -r '.ok')
	rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/time.txt")
	echo "loadgen -stream at $RSS_RATE streams/s: $done_streams of $RSS_STREAMS streams of $TOKENS tokens complete, peak RSS $((rss / 1024)) MiB ($rss KiB) (aim <= 64 MiB)"
fi
