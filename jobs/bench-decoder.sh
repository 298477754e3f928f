#!/usr/bin/env bash
# Decoder benchmark matrix: one JVM per (shape, dtype, weights), so each peak RSS is its own.
#   jobs/bench-decoder.sh SHAPE "DTYPE:WEIGHTS ..." [extra jobs/bayling bench options]
# e.g. jobs/bench-decoder.sh 134m "f32:f32 f16:f16 bf16:bf16 f32:int8 bf16:int8"
#      jobs/bench-decoder.sh 7b "f16:f16 bf16:int8" --batches 1,8,32 --prompt-tokens 8 --new-tokens 4 --repeats 0
# Writes bench-results/decoder-SHAPE-DTYPE-WEIGHTS.json. Random checkpoints are written once under
# ${BENCH_CACHE:-target/bench-models} (a 7b one is 13.5 GB, 13b 26 GB). Run on a quiet machine.
# The decoder allocates ~0.5 MB of Java arrays per step (logits); a 32 MB young generation recycles those
# pages instead of touching fresh heap every step (page faults, peak RSS), as an executor's steady state does.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shape="$1"; configs="$2"; shift 2
cache="${BENCH_CACHE:-$root/target/bench-models}"
mkdir -p "$root/bench-results" "$cache"
for c in $configs; do
  dtype="${c%%:*}"; weights="${c##*:}"
  out="$root/bench-results/decoder-$shape-$dtype-$weights.json"
  echo "== $shape --dtype $dtype --weights $weights -> $out" >&2
  BAYLING_JAVA_OPTS="${BAYLING_JAVA_OPTS:--Xmx2g -Xmn32m}" "$root/jobs/bayling" bench --shape "$shape" --dtype "$dtype" \
    --weights "$weights" --checkpoint-cache "$cache" --output "$out" "$@" > /dev/null
done
