#!/usr/bin/env bash
# Measures meshlint end to end next to the yaml.v3 parse floor, in the same
# run, as docs/performance.md reports it: for each corpus size, RUNS rounds
# alternate the two tools, and the medians of wall time and peak RSS
# (from /usr/bin/time -v) are printed.
#
#   bash internal/benchgen/measure.sh                 # N=1000 and N=10000, 5 rounds
#   RUNS=7 SIZES="1000 10000" PROFILE=irrelevant bash internal/benchgen/measure.sh
#
# Corpora and binaries go to $WORK (default /tmp/meshlint-measure); a corpus
# is written once and reused. Needs GNU time (apt-get install time).
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-5}
SIZES=${SIZES:-"1000 10000"}
PROFILE=${PROFILE:-apps}
WORK=${WORK:-/tmp/meshlint-measure}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "needs GNU time at $TIME (apt-get install time)" >&2; exit 2; }

mkdir -p "$WORK"
go build -o "$WORK/meshlint" ./cmd/meshlint
go build -o "$WORK/floor" ./internal/_dev/floor
go build -o "$WORK/benchgen" ./internal/_dev/benchgen

# run TOOL ARGS...: prints "seconds rss_kb" for one run.
run() {
  local out
  out=$("$TIME" -v "$@" 2>&1 >/dev/null) || true
  local wall rss
  wall=$(printf '%s\n' "$out" | awk -F': ' '/Elapsed \(wall clock\)/ {print $2}')
  rss=$(printf '%s\n' "$out" | awk -F': ' '/Maximum resident set size/ {print $2}')
  # wall is [h:]m:ss.ss
  awk -v w="$wall" -v r="$rss" 'BEGIN { n = split(w, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f %d\n", s, r }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-8s %-10s %9s %9s   %s\n' apps tool "time(s)" "RSS(MB)" "runs (s)"
declare -A med
for n in $SIZES; do
  dir="$WORK/corpus-$PROFILE-$n"
  if [ ! -f "$dir.done" ]; then
    rm -rf "$dir"
    "$WORK/benchgen" -n "$n" -profile "$PROFILE" "$dir" >/dev/null
    touch "$dir.done"
  fi
  : > "$WORK/floor.txt"; : > "$WORK/meshlint.txt"
  for ((i = 0; i < RUNS; i++)); do
    run "$WORK/floor" "$dir" >> "$WORK/floor.txt"
    run "$WORK/meshlint" --format json "$dir" >> "$WORK/meshlint.txt"
  done
  for tool in floor meshlint; do
    t=$(awk '{print $1}' "$WORK/$tool.txt" | median)
    m=$(awk '{print $2}' "$WORK/$tool.txt" | median)
    med[$tool-$n]=$t
    printf '%-8s %-10s %9s %9.0f   %s\n' "$n" "$tool" "$t" "$(echo "$m / 1024" | bc -l)" "$(awk '{printf "%s ", $1}' "$WORK/$tool.txt")"
  done
  printf '%-8s %-10s %9.2f\n' "$n" "ratio" "$(echo "${med[meshlint-$n]} / ${med[floor-$n]}" | bc -l)"
done
set -- $SIZES
if [ $# -ge 2 ]; then
  printf 'meshlint scaling %s -> %s apps: %.1fx\n' "$1" "$2" "$(echo "${med[meshlint-$2]} / ${med[meshlint-$1]}" | bc -l)"
fi
