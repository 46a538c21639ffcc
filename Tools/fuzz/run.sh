#!/usr/bin/env bash
# Runs every libFuzzer target of Fuzz/ (built by `make fuzz`) for FUZZ_SECONDS each and prints a
# table of executions, corpus sizes and crashes (docs/RELIABILITY.md records the results).
#
#   Tools/fuzz/run.sh BINARY WORKDIR SECONDS [TARGET...]
#
# Corpora live in WORKDIR/corpus/<target> (outside git): seeded with each target's own seeds
# (GRAFT_FUZZ_SEEDS), the files of its formats under ../shared/conformance (when present),
# SampleData/ and Tests/*/Fixtures/, and whatever earlier runs found. Crashing inputs go to
# WORKDIR/crashes/<target>-*; commit each under Tests/GraftFuzzTests/Regressions/<target>/.
set -u
binary=$1 work=$2 seconds=$3
shift 3
root=$(cd "$(dirname "$0")/../.." && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then mapfile -t targets < <(GRAFT_FUZZ_LIST=1 "$binary"); fi
mkdir -p "$work/corpus" "$work/crashes" "$work/logs" "$work/seeds"
GRAFT_FUZZ_SEEDS="$work/seeds" "$binary" >/dev/null

extensions() {  # the seed file extensions of a target
  case $1 in
    png) echo png ;;
    audio) echo wav flac ogg aiff aif au caf w64 opus mp3 ;;
    word2vec-binary) echo bin ;;
    word2vec-text|glove) echo txt ;;
    fasttext) echo vec txt ;;
    safetensors) echo safetensors ;;
    npy) echo npy ;;
    bundle-config) echo json ;;
    csv) echo csv ;;
    tsv) echo tsv ;;
  esac
}

printf '%-16s %12s %10s %8s %7s\n' target executions exec/s corpus crashes
for target in "${targets[@]}"; do
  corpus="$work/corpus/$target"
  mkdir -p "$corpus"
  cp -n "$work/seeds/$target"/* "$corpus"/ 2>/dev/null
  for ext in $(extensions "$target"); do
    for dir in "$root/../shared/conformance" "$root/SampleData" "$root/Tests"; do
      [ -d "$dir" ] || continue
      find "$dir" -type f -iname "*.$ext" -size -256k -print0 2>/dev/null |
        while IFS= read -r -d '' f; do cp -n "$f" "$corpus/$(echo "$f" | md5sum | cut -c1-16).$ext"; done
    done
  done
  log="$work/logs/$target.log"
  GRAFT_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 "$binary" "$corpus" \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 -malloc_limit_mb=2048 -timeout=30 \
    -print_final_stats=1 -artifact_prefix="$work/crashes/$target-" >"$log" 2>&1
  status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'exec/s: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(ls "$work/crashes/$target-"* 2>/dev/null | wc -l)
  printf '%-16s %12s %10s %8s %7s%s\n' "$target" "${runs:-?}" "${rate:-?}" "$(ls "$corpus" | wc -l)" "$crashes" \
    "$([ $status -ne 0 ] && echo "  (exit $status: see $log)")"
done
