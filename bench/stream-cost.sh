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
#   container  the same streams from the server's container mode (chunked
#           POST /invocations: no SDK, no event stream), the floor of what
#           reading a token costs
# and prints the generator's CPU time (user+sys, the generator's process
# alone: the server runs on its own core and is not counted) per request
# and per stream, and their ratio (aim: a stream costs at most 3 requests).
# Then, with streams of TOKENS tokens at SUSTAIN_TPS tokens/s each, it
# steps the number of concurrent streams up (SUSTAIN_LEVELS) and prints,
# per level, the generator's CPU use, its max send lag and drops, and the
# server's CPU use; the most concurrent streams one core sustains is the
# last level with no drop, a max send lag under SUSTAIN_MAX_LAG and the
# generator under 90% of its core (a level where the server's core is
# full measures the server, and says so). Last it runs RSS_STREAMS
# streams at RSS_RATE under /usr/bin/time -v and prints loadgen's peak
# RSS (aim: <= 64 MiB for 100,000 streams of 200 tokens).
#
# Everything stays on 127.0.0.1. Requires: go, taskset, /usr/bin/time, jq.
# Usage: bench/stream-cost.sh
# Env:   DURATION=10s PLAIN_RATE=2000 STREAM_RATE=50 TOKENS=200 STEP=1ms
#        SUSTAIN_TPS=50 SUSTAIN_LEVELS="50 100 200 400 800 1600"
#        SUSTAIN_DURATION=8s SUSTAIN_MAX_LAG=100ms (SUSTAIN_LEVELS= skips it;
#        100ms, not less: on a shared 2-core VM the scheduler alone delays
#        sends by tens of ms at 10% CPU)
#        RSS_STREAMS=100000 RSS_RATE=500 RSS_MAX_IN_FLIGHT=500 (RSS_STREAMS=0
#        skips it; memory grows with the streams in flight, not with the
#        streams done: a server that falls behind raises it, up to the cap)
#        PORT=18080 SERVER_CPU=0 CLIENT_CPU=1
#        BENCH_LOADGEN=/path/to/loadgen (measure that binary instead)
set -euo pipefail

DURATION=${DURATION:-10s}
PLAIN_RATE=${PLAIN_RATE:-2000}
STREAM_RATE=${STREAM_RATE:-50}
TOKENS=${TOKENS:-200}
STEP=${STEP:-1ms}
SUSTAIN_TPS=${SUSTAIN_TPS:-50}
SUSTAIN_LEVELS=${SUSTAIN_LEVELS-50 100 200 400 800 1600}
SUSTAIN_DURATION=${SUSTAIN_DURATION:-8s}
SUSTAIN_MAX_LAG=${SUSTAIN_MAX_LAG:-100ms}
RSS_STREAMS=${RSS_STREAMS:-100000}
RSS_MAX_IN_FLIGHT=${RSS_MAX_IN_FLIGHT:-500}
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
if [[ -n ${BENCH_LOADGEN:-} ]]; then
	cp "$BENCH_LOADGEN" "$work/loadgen" # e.g. a build of another commit, to compare
fi

export AWS_ACCESS_KEY_ID=AKIDBENCHMARK AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

printf '{"instances":[["%s"]]}' "$(head -c 1000 /dev/zero | tr '\0' 'x')" | head -c 1024 >"$work/payload.json"
printf '{"inputs":"%s","parameters":{"max_new_tokens":%d}}' "$(printf 'word %.0s' $(seq 100))" "$TOKENS" >"$work/prompt.json"
common=(-interval 1s -timeout 30s -grace 10s -progress off -fail-fast 0 -max-in-flight 5000)

# cpu_per_ok FILE prints "OK CPU_US_PER_OK MAX_SEND_LAG_US DROPPED" from a
# run's output and the CPU time in $work/cpu.txt.
cpu_per_ok() {
	tail -n 1 "$1" | jq -r --argjson cpu "$(awk '{print $1 + $2}' "$work/cpu.txt")" \
		'"\(.ok) \(if .ok > 0 then $cpu * 1e6 / .ok else 0 end) \(.max_send_lag_us) \(.dropped)"'
}

# cpu_per_stream FILE is cpu_per_ok for streams: the CPU time per TOKENS
# tokens received (complete or not), so that streams the grace period cut
# (a server falling behind) do not inflate the cost of the others.
cpu_per_stream() {
	tail -n 1 "$1" | jq -r --argjson cpu "$(awk '{print $1 + $2}' "$work/cpu.txt")" --argjson tokens "$TOKENS" \
		'(.stream.output_tokens + .stream.partial_tokens) as $t |
		"\(.ok) \(if $t > 0 then $cpu * 1e6 * $tokens / $t else 0 end) \(.max_send_lag_us) \(.dropped)"'
}

taskset -c "$SERVER_CPU" "$work/minserver" -addr "127.0.0.1:$PORT" &
server_pid=$!
for _ in $(seq 50); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
	sleep 0.1
done
/usr/bin/time -f '%U %S' -o "$work/cpu.txt" taskset -c "$CLIENT_CPU" "$work/loadgen" "${common[@]}" -endpoint bench \
	-endpoint-url "http://127.0.0.1:$PORT" -payload "$work/payload.json" -rate "$PLAIN_RATE" -duration "$DURATION" \
	-output "$work/plain.jsonl" || true
read -r plain_ok plain_us plain_lag plain_drop < <(cpu_per_ok "$work/plain.jsonl")
stop_server

# start_streamserver STEP starts the fake LLM endpoint on SERVER_CPU and
# sets url.
start_streamserver() {
	rm -f "$work/url.txt"
	taskset -c "$SERVER_CPU" "$work/streamserver" -tokens "$TOKENS" -step "$1" >"$work/url.txt" &
	server_pid=$!
	for _ in $(seq 50); do
		if [[ -s $work/url.txt ]]; then break; fi
		sleep 0.1
	done
	url=$(head -n 1 "$work/url.txt")
}

# cpu_ticks PID prints the process's user+system CPU time in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start_streamserver "$STEP"
/usr/bin/time -f '%U %S' -o "$work/cpu.txt" taskset -c "$CLIENT_CPU" "$work/loadgen" "${common[@]}" -endpoint bench -stream -format tgi \
	-endpoint-url "$url" -payload "$work/prompt.json" -rate "$STREAM_RATE" -duration "$DURATION" \
	-output "$work/stream.jsonl" || true
read -r stream_ok stream_us stream_lag stream_drop < <(cpu_per_stream "$work/stream.jsonl")
tokens=$(tail -n 1 "$work/stream.jsonl" | jq -r '.stream.output_tokens + .stream.partial_tokens')
/usr/bin/time -f '%U %S' -o "$work/cpu.txt" taskset -c "$CLIENT_CPU" "$work/loadgen" "${common[@]}" -stream -format tgi \
	-container "$url" -payload "$work/prompt.json" -rate "$STREAM_RATE" -duration "$DURATION" \
	-output "$work/container.jsonl" || true
read -r cont_ok cont_us cont_lag cont_drop < <(cpu_per_stream "$work/container.jsonl")

printf '%-8s %10s %14s %16s %8s\n' run ok "CPU µs each" "max send lag µs" dropped
printf '%-8s %10s %14.1f %16s %8s\n' plain "$plain_ok" "$plain_us" "$plain_lag" "$plain_drop"
printf '%-8s %10s %14.1f %16s %8s   (%s tokens received; CPU per %s tokens)\n' stream "$stream_ok" "$stream_us" "$stream_lag" "$stream_drop" "$tokens" "$TOKENS"
printf '%-8s %10s %14.1f %16s %8s   (container mode: no SDK, no event stream; CPU per %s tokens)\n' container "$cont_ok" "$cont_us" "$cont_lag" "$cont_drop" "$TOKENS"
printf 'CPU per %s-token stream / CPU per plain signed request: %.2f (aim <= 3); container-mode floor: %.2f\n' \
	"$TOKENS" "$(jq -n "$stream_us / $plain_us")" "$(jq -n "$cont_us / $plain_us")"

if [[ -n $SUSTAIN_LEVELS ]]; then
	stop_server
	step=$(jq -n "1000000 / $SUSTAIN_TPS | floor")us
	start_streamserver "$step"
	max_lag_us=$(($(sed 's/ms$//' <<<"$SUSTAIN_MAX_LAG") * 1000))
	hz=$(getconf CLK_TCK)
	stream_secs=$(jq -n "$TOKENS / $SUSTAIN_TPS")
	echo "concurrent streams of $TOKENS tokens at $SUSTAIN_TPS tokens/s each (${stream_secs}s per stream), $SUSTAIN_DURATION per level:"
	printf '%8s %9s %10s %9s %16s %8s %12s %11s  %s\n' streams "starts/s" "tokens/s" "gen CPU" "max send lag µs" dropped "ITL p99 µs" "server CPU" verdict
	best=0
	for n in $SUSTAIN_LEVELS; do
		rate=$(jq -n "$n / $stream_secs")
		s0=$(cpu_ticks "$server_pid")
		/usr/bin/time -f '%U %S %e' -o "$work/cpu.txt" taskset -c "$CLIENT_CPU" "$work/loadgen" "${common[@]}" -endpoint bench -stream -format tgi \
			-endpoint-url "$url" -payload "$work/prompt.json" -rate "$rate" -duration "$SUSTAIN_DURATION" \
			-output "$work/sustain.jsonl" || true
		s1=$(cpu_ticks "$server_pid")
		read -r ok lag drop itl < <(tail -n 1 "$work/sustain.jsonl" | jq -r '"\(.ok) \(.max_send_lag_us) \(.dropped) \(.stream.itl_us.p99)"')
		gen=$(awk '{printf "%.0f", ($1 + $2) * 100 / $3}' "$work/cpu.txt")
		wall=$(awk '{print $3}' "$work/cpu.txt")
		srv=$(jq -n "($s1 - $s0) * 100 / $hz / $wall | floor")
		tps=$(jq -n "$n * $SUSTAIN_TPS")
		verdict=sustained
		if ((drop > 0 || lag > max_lag_us || gen >= 90)); then
			verdict="not sustained"
		fi
		if ((srv >= 90)); then
			verdict="$verdict (server core full: this measures the server)"
		fi
		printf '%8s %9s %10s %8s%% %16s %8s %12s %10s%%  %s\n' "$n" "$rate" "$tps" "$gen" "$lag" "$drop" "$itl" "$srv" "$verdict"
		if [[ $verdict != sustained* ]]; then break; fi
		best=$n
	done
	echo "most concurrent streams one core sustained at $SUSTAIN_TPS tokens/s each without send lag (> $SUSTAIN_MAX_LAG) or drops: $best"
	echo "CPU-bound estimate from the last level ($n streams at $gen% of a core): $(jq -n "$n * 90 / ([$gen, 1] | max) | floor") streams at 90% of a core"
	stop_server
	start_streamserver "$STEP"
fi

if ((RSS_STREAMS > 0)); then
	/usr/bin/time -v taskset -c "$CLIENT_CPU" "$work/loadgen" "${common[@]}" -endpoint bench -stream -format tgi -endpoint-url "$url" \
		-payload "$work/prompt.json" -rate "$RSS_RATE" -requests "$RSS_STREAMS" -max-in-flight "$RSS_MAX_IN_FLIGHT" \
		-output "$work/rss.jsonl" 2>"$work/time.txt" || true
	read -r done_streams dropped p50 < <(tail -n 1 "$work/rss.jsonl" | jq -r '"\(.ok) \(.dropped) \(.latency_us.p50)"')
	rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/time.txt")
	echo "loadgen -stream at $RSS_RATE streams/s, at most $RSS_MAX_IN_FLIGHT in flight (GOGC ${GOGC:-400}): $done_streams of $RSS_STREAMS streams of $TOKENS tokens complete, $dropped dropped, p50 $((p50 / 1000)) ms; peak RSS $((rss / 1024)) MiB ($rss KiB) (aim <= 64 MiB)"
fi
