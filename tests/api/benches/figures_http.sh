#!/usr/bin/env bash
# The figures requests of the figures bench over real HTTP: a release server
# on a programme the bench kept (SIJIL_BENCH_KEEP), one account made for the
# run, each request timed end to end by curl (best of RUNS, after one warm-up).
#
#   cargo build --release -p sijil
#   tests/api/benches/figures_http.sh sqlite:///work/scale-data/bench-1000000.db 2026-Q3
#   tests/api/benches/figures_http.sh postgres://postgres@127.0.0.1:5432/sijil_bench_1000000 2026-Q3 5
#
# Prints a Markdown table: request, best time (ms), bytes. The quarter is the
# one the bench prints ("quarter YYYY-MM-DD..YYYY-MM-DD").
set -euo pipefail

url=${1:?database url}
quarter=${2:?quarter, e.g. 2026-Q3}
runs=${3:-3}
bin=${SIJIL_BINARY:-${CARGO_TARGET_DIR:-target}/release/sijil}
port=${SIJIL_BENCH_PORT:-18099}
base="http://127.0.0.1:$port"
work=$(mktemp -d)
login="figures-bench-$RANDOM$RANDOM"
password="figures-bench-$RANDOM-$RANDOM-$RANDOM"

printf '%s\n' "$password" |
	DATABASE_URL=$url "$bin" user create --login "$login" --name "Figures bench" --role admin >/dev/null
DATABASE_URL=$url SIJIL_ADDR=127.0.0.1:$port "$bin" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 600); do
	curl -fs "$base/healthz" >/dev/null 2>&1 && break
	sleep 0.5
done
curl -fs -c "$work/jar" -H 'content-type: application/json' \
	-d "{\"login\":\"$login\",\"password\":\"$password\"}" "$base/api/auth/login" >/dev/null

# The quarter's first and last days, and a range across months inside it
# (the 15th of its first month to 16 days before its end).
year=${quarter%-Q*}
q=${quarter#*-Q}
first_month=$(((q - 1) * 3 + 1))
from=$(printf '%s-%02d-01' "$year" "$first_month")
to=$(date -d "$from +3 months -1 day" +%F)
custom_from=$(date -d "$from +14 days" +%F)
custom_to=$(date -d "$to -16 days" +%F)
week=$(date -d "$from +35 days" +%G-W%V)

requests=(
	"dashboard: quarter|/api/figures?period=$quarter"
	"dashboard: by governorate|/api/figures?period=$quarter&group=governorate"
	"dashboard: monthly trend|/api/figures?period=$quarter&group=month"
	"custom range across months|/api/figures?from=$custom_from&to=$custom_to&group=month"
	"one ISO week|/api/figures?period=$week"
	"site table (/api/figures/sites)|/api/figures/sites?period=$quarter"
	"by site|/api/figures?period=$quarter&group=site"
	"by district|/api/figures?period=$quarter&group=district"
	"by partner|/api/figures?period=$quarter&group=partner"
	"by activity type|/api/figures?period=$quarter&group=type"
	"by kind|/api/figures?period=$quarter&group=kind"
	"by week|/api/figures?period=$quarter&group=week"
	"quarter with splits|/api/figures?period=$quarter&group=governorate&splits=true"
	"quarter without flagged|/api/figures?period=$quarter&include_flagged=false&group=month"
)

echo "| request | best of $runs (ms) | bytes |"
echo "|---|---|---|"
dashboard=0
for entry in "${requests[@]}"; do
	name=${entry%%|*}
	path=${entry#*|}
	best=""
	bytes=0
	for run in $(seq 0 "$runs"); do
		out=$(curl -fs -b "$work/jar" -o /dev/null -w '%{time_total} %{size_download}' "$base$path")
		seconds=${out% *}
		bytes=${out#* }
		[ "$run" -eq 0 ] && continue # warm-up
		ms=$(awk "BEGIN { printf \"%.1f\", $seconds * 1000 }")
		if [ -z "$best" ] || awk "BEGIN { exit !($ms < $best) }"; then best=$ms; fi
	done
	case $name in dashboard:*) dashboard=$(awk "BEGIN { printf \"%.1f\", $dashboard + $best }") ;; esac
	echo "| $name | $best | $bytes |"
done
echo "| dashboard set (the three dashboard requests) | $dashboard | |"
