#!/usr/bin/env bash
# loadgen-vs-vegeta.sh: how fast can loadgen send SigV4-signed InvokeEndpoint
# requests through the AWS SDK's signer, compared with vegeta sending the
# same (unsigned) requests, both against one minimal local server?
#
# The server (bench/minserver) is pinned to one core and the generator under
# test to the other, one generator at a time, alternating for ROUNDS rounds:
#   vegeta   attack -rate 0 (as fast as it can) with VEGETA_WORKERS workers
#   loadgen  open model, offered OFFER times vegeta's rate of the round, with
#            at most MAX requests in flight; what it cannot send in time is
#            dropped (never queued), so its achieved rate is its ceiling
# and prints both rates (successful responses per second of wall time, and
# per CPU-second of the generator) and their ratios, with the medians over
# the rounds. Then it runs loadgen for RSS_REQUESTS requests under
# /usr/bin/time -v and prints its peak RSS.
#
# Everything stays on 127.0.0.1. Requires: go, taskset, /usr/bin/time, jq.
# Usage: bench/loadgen-vs-vegeta.sh            (from anywhere in the repo)
#        ROUNDS=0 bench/loadgen-vs-vegeta.sh   (peak RSS only)
# Env:   DURATION=10s ROUNDS=5 MAX=128 VEGETA_WORKERS=64 OFFER=1.5
#        PORT=18080 SERVER_CPU=0 CLIENT_CPU=1
#        RSS_REQUESTS=1000000 RSS_RATE=(measured) VEGETA=github.com/tsenart/vegeta/v12@v12.13.0
set -euo pipefail

DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-5}
MAX=${MAX:-128}
VEGETA_WORKERS=${VEGETA_WORKERS:-64}
OFFER=${OFFER:-1.5}
PORT=${PORT:-18080}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
RSS_REQUESTS=${RSS_REQUESTS:-1000000}
VEGETA=${VEGETA:-github.com/tsenart/vegeta/v12@v12.13.0}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
	if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

echo "building loadgen, minserver and vegeta ($VEGETA)..." >&2
(cd "$root" && go build -o "$work/loadgen" ./cmd/loadgen && go build -o "$work/minserver" ./bench/minserver)
GOBIN=$work go install "$VEGETA"

# A 1 KiB JSON request body.
printf '{"instances":[["%s"]]}' "$(head -c 1000 /dev/zero | tr '\0' 'x')" | head -c 1024 >"$work/payload.json"
url=http://127.0.0.1:$PORT
printf 'POST %s/endpoints/bench/invocations\nContent-Type: application/json\n@%s\n' "$url" "$work/payload.json" >"$work/targets.txt"

taskset -c "$SERVER_CPU" "$work/minserver" -addr "127.0.0.1:$PORT" &
server_pid=$!
for _ in $(seq 50); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
	sleep 0.1
done

# Static test credentials: the server does not check them, but loadgen signs
# every request with them through the SDK's SigV4 signer.
export AWS_ACCESS_KEY_ID=AKIDBENCHMARK AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

loadgen_args=(-endpoint bench -endpoint-url "$url" -payload "$work/payload.json" -max-in-flight "$MAX"
	-interval 1s -timeout 10s -grace 5s -progress off -fail-fast 0)

# Each run prints "RATE CPU_RATE": successful responses per second of wall
# time, and per second of CPU time (user+sys) the generator used. The second
# is the generator's efficiency; it is far less sensitive than the first to
# other processes competing for the machine.

# vegeta_run prints vegeta's rates.
vegeta_run() {
	/usr/bin/time -f '%U %S' -o "$work/cpu.txt" taskset -c "$CLIENT_CPU" "$work/vegeta" attack -targets "$work/targets.txt" \
		-rate 0 -workers "$VEGETA_WORKERS" -max-workers "$VEGETA_WORKERS" -duration "$DURATION" >"$work/vegeta.bin"
	"$work/vegeta" report -type json <"$work/vegeta.bin" |
		jq -r --argjson cpu "$(awk '{print $1 + $2}' "$work/cpu.txt")" '"\(.throughput) \(.throughput * .duration / 1e9 / $cpu)"'
}

# loadgen_run RATE [flags...] prints loadgen's rates (until its last
# response).
loadgen_run() {
	local rate=$1
	shift
	/usr/bin/time -f '%U %S' -o "$work/cpu.txt" taskset -c "$CLIENT_CPU" "$work/loadgen" "${loadgen_args[@]}" \
		-rate "$rate" -duration "$DURATION" "$@" -output "$work/lg.jsonl" || true
	tail -n 1 "$work/lg.jsonl" | jq -r --argjson cpu "$(awk '{print $1 + $2}' "$work/cpu.txt")" '"\(.ok / .to_s) \(.ok / $cpu)"'
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

if ((ROUNDS > 0)); then
echo "requests per second of wall time (and per CPU-second of the generator), $ROUNDS rounds of $DURATION each:"
printf '%-5s %18s %18s %12s %22s\n' round "vegeta" "loadgen" "ratio" "loadgen -sign-cache=false"
wall=() cpu=() wall_every=() cpu_every=()
for round in $(seq "$ROUNDS"); do
	read -r v vc < <(vegeta_run)
	offered=$(jq -n "$v * $OFFER | floor")
	read -r l lc < <(loadgen_run "$offered")
	read -r e ec < <(loadgen_run "$offered" -sign-cache=false)
	wall+=("$(jq -n "$l / $v")") cpu+=("$(jq -n "$lc / $vc")")
	wall_every+=("$(jq -n "$e / $v")") cpu_every+=("$(jq -n "$ec / $vc")")
	printf '%-5s %8.0f (%7.0f) %8.0f (%7.0f) %5.2f (%4.2f) %10.0f (%7.0f)\n' "$round" "$v" "$vc" "$l" "$lc" \
		"${wall[-1]}" "${cpu[-1]}" "$e" "$ec"
done
printf 'median ratio loadgen/vegeta: %.2f by wall-clock rate, %.2f per CPU-second (target >= 0.8)\n' \
	"$(printf '%s\n' "${wall[@]}" | median)" "$(printf '%s\n' "${cpu[@]}" | median)"
printf 'median ratio with -sign-cache=false: %.2f by wall-clock rate, %.2f per CPU-second\n' \
	"$(printf '%s\n' "${wall_every[@]}" | median)" "$(printf '%s\n' "${cpu_every[@]}" | median)"
fi

# Peak RSS for RSS_REQUESTS requests, offered at RSS_RATE (default: half of
# loadgen's median rate, at most 20000/s) so that (nearly) all are sent even
# when other processes compete for the CPU.
if [[ -z ${RSS_RATE:-} ]]; then
	if ((ROUNDS > 0)); then
		RSS_RATE=$(jq -n "[($(printf '%s\n' "${wall[@]}" | median) * $v * 0.5), 20000] | min | floor")
	else
		RSS_RATE=15000
	fi
fi
rss_rate=$RSS_RATE
/usr/bin/time -v taskset -c "$CLIENT_CPU" "$work/loadgen" "${loadgen_args[@]}" -rate "$rss_rate" -requests "$RSS_REQUESTS" \
	-output "$work/rss.jsonl" 2>"$work/time.txt" || true
sent=$(tail -n 1 "$work/rss.jsonl" | jq -r '.requests')
rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/time.txt")
echo "loadgen at $rss_rate req/s: $sent requests sent (of $RSS_REQUESTS scheduled), peak RSS $((rss / 1024)) MiB ($rss KiB)"
