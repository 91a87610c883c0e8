#!/usr/bin/env bash
# Measures meshlint end to end against the budget of docs/performance.md, in
# one run: each line alternates the commands it compares, RUNS rounds, and
# prints the medians of wall time, CPU time (user + system) and peak RSS
# (GNU time), and the ratio. The machine's load (/proc/loadavg) is printed
# before and after each suite: on a shared machine the ratios, measured
# alternately, are what to read.
#
#   bash internal/benchgen/measure.sh                     # every suite, 5 rounds
#   SUITES="adoption crowded" RUNS=3 bash internal/benchgen/measure.sh
#   ADOPTION_SIZES=10000 bash internal/benchgen/measure.sh
#
# Suites:
#   apps      meshlint vs the yaml.v3 parse floor, apps profile (APPS_SIZES;
#             PROFILE=irrelevant for that profile)
#   adoption  the same on a first adoption (ADOPTION_SIZES); budget 0.8x the
#             floor, 350 MB at 10,000 apps and 1 GB at 30,000; and the cost
#             per finding location with fixes on (the findings phase of
#             --stats, which places findings and computes their fixes, over
#             the findings and related locations, writing SARIF)
#   crowded   N apps in one namespace vs the same apps each in its own
#             (CROWDED_SIZES); budget 2x
#   formats   sarif, junit and text vs json on the adoption corpus at
#             FORMATS_SIZE apps; budget 1.25x in time and memory
#   small     CPU time of meshlint on examples/; budget 100 ms
#   kustomize meshlint on a Kustomize-heavy repository (KUSTOMIZE_SIZES
#             overlays over 20 shared bases, patches, components) vs
#             building each of its top roots once with the kustomize API in
#             sequence (internal/_dev/kustomizefloor); budget 1.2x in time
#
# Corpora and binaries go to $WORK (default /tmp/meshlint-measure); a corpus
# is written once and reused. Needs GNU time (apt-get install time).
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-5}
SUITES=${SUITES:-"apps adoption crowded formats small kustomize"}
APPS_SIZES=${APPS_SIZES:-${SIZES:-"1000 10000"}}
ADOPTION_SIZES=${ADOPTION_SIZES:-"10000 30000"}
CROWDED_SIZES=${CROWDED_SIZES:-"2000 10000"}
FORMATS_SIZE=${FORMATS_SIZE:-10000}
KUSTOMIZE_SIZES=${KUSTOMIZE_SIZES:-200}
WORK=${WORK:-/tmp/meshlint-measure}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "needs GNU time at $TIME (apt-get install time)" >&2; exit 2; }

mkdir -p "$WORK"
go build -o "$WORK/meshlint" ./cmd/meshlint
go build -o "$WORK/floor" ./internal/_dev/floor
go build -o "$WORK/kustomizefloor" ./internal/_dev/kustomizefloor
go build -o "$WORK/benchgen" ./internal/_dev/benchgen
EXAMPLES=$PWD/examples

# corpus PROFILE N: the corpus directory, written on first use.
corpus() {
  local dir="$WORK/corpus-$1-$2"
  if [ ! -f "$dir.done" ]; then
    rm -rf "$dir"
    "$WORK/benchgen" -n "$2" -profile "$1" "$dir" >/dev/null
    touch "$dir.done"
  fi
  echo "$dir"
}

# run OUT CMD...: appends "wall cpu rss_kb" of one run to OUT. meshlint's
# exit code 1 (findings) is not a failure here.
run() {
  local out=$1; shift
  (cd /tmp && "$TIME" -f '%e %U %S %M' -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt") || true
  # GNU time writes "Command exited with non-zero status 1" first when
  # meshlint has findings: the numbers are the last line.
  tail -n 1 "$WORK/time.txt" | awk '{ printf "%.2f %.2f %d\n", $1, $2 + $3, $4 }' >> "$out"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v c="$2" '{ print $c }' "$1" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
load() { echo "load: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs) $1"; }

# compare LABEL NAME-A "CMD-A" NAME-B "CMD-B" ...: RUNS rounds alternating
# the commands; a row of medians per command, then each one's ratio to
# the first.
compare() {
  local label=$1; shift
  local names=() cmds=()
  while [ $# -gt 0 ]; do names+=("$1"); cmds+=("$2"); shift 2; done
  local name
  for name in "${names[@]}"; do : > "$WORK/$name.txt"; done
  for ((i = 0; i < RUNS; i++)); do
    for j in "${!names[@]}"; do
      # shellcheck disable=SC2086
      run "$WORK/${names[$j]}.txt" ${cmds[$j]}
    done
  done
  local base_w base_c base_m
  for j in "${!names[@]}"; do
    local f="$WORK/${names[$j]}.txt" w c m
    w=$(col "$f" 1); c=$(col "$f" 2); m=$(col "$f" 3)
    if [ "$j" = 0 ]; then base_w=$w base_c=$c base_m=$m; fi
    printf '| %s | %s | %s | %s | %.0f | %s | %s | %s |\n' "$label" "${names[$j]}" "$w" "$c" "$(echo "$m / 1024" | bc -l)" \
      "$(ratio "$w" "$base_w")" "$(ratio "$c" "$base_c")" "$(ratio "$m" "$base_m")"
    RATIO[${names[$j]}]=$(ratio "$w" "$base_w") MEM_RATIO[${names[$j]}]=$(ratio "$m" "$base_m")
    MB[${names[$j]}]=$(awk -v m="$m" 'BEGIN { printf "%.0f", m / 1024 }') CPU[${names[$j]}]=$c
  done
}
declare -A RATIO MEM_RATIO MB CPU
OVER=()

# budget WHAT VALUE LIMIT: notes a measured value over its limit.
budget() {
  if awk -v v="$2" -v l="$3" 'BEGIN { exit !(v > l) }'; then
    echo "OVER BUDGET: $1 is $2, the budget is $3"
    OVER+=("$1")
  else
    echo "within budget: $1 is $2 (at most $3)"
  fi
}

header() {
  echo
  echo "## $1"
  load "(before)"
  echo
  echo "| input | command | wall (s) | CPU (s) | peak RSS (MB) | wall ratio | CPU ratio | RSS ratio |"
  echo "|---|---|---|---|---|---|---|---|"
}

# perLocation DIR: the findings phase of --stats over the findings and
# related locations, medians of RUNS runs. The phase places the findings and
# computes their suggested fixes in one pass per file; the runs write SARIF,
# whose results carry the fixes (artifactChanges), so fixes are on and
# written.
perLocation() {
  local dir=$1 secs=()
  : > "$WORK/findings.txt"
  for ((i = 0; i < RUNS; i++)); do
    (cd /tmp && "$WORK/meshlint" --stats --format sarif "$dir" >"$WORK/out.sarif" 2>"$WORK/stats.txt") || true
    awk '/stats:   findings/ { sub("s", "", $4); print $4 }' "$WORK/stats.txt" >> "$WORK/findings.txt"
  done
  (cd /tmp && "$WORK/meshlint" --format json "$dir" >"$WORK/out.json" 2>/dev/null) || true
  local s locs
  s=$(median < "$WORK/findings.txt")
  locs=$(python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["findings"]; print(len(f), sum(len(x.get("related") or []) for x in f), sum(1 for x in f if x.get("fixes")))' "$WORK/out.json")
  set -- $locs
  local fixed
  fixed=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]["results"]; print(sum(1 for x in r if x.get("fixes")))' "$WORK/out.sarif")
  local per
  per=$(echo "$s * 1000000 / ($1 + $2)" | bc -l)
  printf 'findings phase %ss for %s findings (%s with fixes; %s SARIF results with edits) and %s related locations: %.1f µs per location\n' "$s" "$1" "$3" "$fixed" "$2" "$per"
  # Positions, snippets, fixes: all per-finding work is in the per-file
  # pass (lint.(*builder).placeFile), and this is its budget.
  # Fixes computed after the pass read their files again: on this corpus
  # of plain files, every fix belongs in the pass.
  local inpass after
  inpass=$(awk '/stats: fixes of/ { print $5 }' "$WORK/stats.txt")
  after=$(awk '/stats: fixes of/ { print $13 }' "$WORK/stats.txt")
  echo "fixes: of ${inpass:-0} findings computed in the per-file pass, of ${after:-0} after it"
  if [ "${inpass:-0}" -eq 0 ]; then
    echo "OVER BUDGET: no fix was computed in the per-file pass, so the cost per location is measured without fixes"
    OVER+=("fixes in the pass")
  fi
  budget "findings whose fixes are computed after the per-file pass" "${after:-0}" 0
  budget "cost per finding location with fixes (µs, wall)" "$(printf '%.1f' "$per")" 20
}

for suite in $SUITES; do
  case $suite in
  apps | adoption)
    sizes=$APPS_SIZES
    [ "$suite" = adoption ] && sizes=$ADOPTION_SIZES
    profile=$suite
    [ "$suite" = apps ] && profile=${PROFILE:-apps}
    header "$profile: meshlint against the yaml.v3 parse floor"
    for n in $sizes; do
      dir=$(corpus "$profile" "$n")
      compare "$profile N=$n" floor "$WORK/floor $dir" meshlint "$WORK/meshlint --format json $dir"
      if [ "$suite" = adoption ]; then
        budget "adoption N=$n time / parse floor" "${RATIO[meshlint]}" 0.8
        limit=350
        [ "$n" -gt 10000 ] && limit=1024
        budget "adoption N=$n peak RSS (MB)" "${MB[meshlint]}" "$limit"
      fi
    done
    if [ "$suite" = adoption ]; then
      set -- $sizes
      perLocation "$(corpus adoption "$1")"
    fi
    ;;
  crowded)
    header "crowded: N apps in one namespace against the same apps spread"
    for n in $CROWDED_SIZES; do
      compare "crowded N=$n" spread "$WORK/meshlint --format json $(corpus crowded-spread "$n")" \
        one-namespace "$WORK/meshlint --format json $(corpus crowded "$n")"
      budget "crowded N=$n one namespace / spread" "${RATIO[one-namespace]}" 2
    done
    ;;
  formats)
    header "formats: each report against JSON (adoption N=$FORMATS_SIZE)"
    dir=$(corpus adoption "$FORMATS_SIZE")
    compare "adoption N=$FORMATS_SIZE" json "$WORK/meshlint --format json $dir" sarif "$WORK/meshlint --format sarif $dir" \
      junit "$WORK/meshlint --format junit $dir" text "$WORK/meshlint --format text $dir"
    for f in sarif junit text; do
      budget "$f / json time" "${RATIO[$f]}" 1.25
      budget "$f / json peak RSS" "${MEM_RATIO[$f]}" 1.25
    done
    ;;
  small)
    header "small: examples/"
    compare "examples/" meshlint "$WORK/meshlint --format json $EXAMPLES"
    budget "examples/ CPU (s)" "${CPU[meshlint]}" 0.1
    ;;
  kustomize)
    header "kustomize: meshlint against building each root once with the kustomize API in sequence"
    for n in $KUSTOMIZE_SIZES; do
      dir=$(corpus kustomize "$n")
      compare "kustomize N=$n" kustomize "$WORK/kustomizefloor $dir" meshlint "$WORK/meshlint --format json $dir"
      budget "kustomize N=$n time / kustomize API in sequence" "${RATIO[meshlint]}" 1.2
    done
    ;;
  *)
    echo "unknown suite $suite" >&2
    exit 2
    ;;
  esac
  load "(after)"
done
if [ ${#OVER[@]} -gt 0 ]; then
  echo
  echo "over budget: ${OVER[*]}"
fi
