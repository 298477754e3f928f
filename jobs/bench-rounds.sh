#!/usr/bin/env bash
# The decoder benchmark matrix repeated in rounds, configurations interleaved within each round, and each figure's
# median over the rounds: this machine's speed drifts by up to 1.5x between hours, so one round says little.
#   jobs/bench-rounds.sh ROUNDS SHAPE "DTYPE:WEIGHTS ..." [extra jobs/bayling bench options]
# e.g. jobs/bench-rounds.sh 3 134m "f32:f32 f32:bf16 f32:f16" --profile
# Writes bench-results/rounds-SHAPE.json (every round and the medians) and leaves each configuration's last round in
# bench-results/decoder-SHAPE-DTYPE-WEIGHTS.json (jobs/bench-decoder.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="$1"; shape="$2"; configs="$3"; shift 3
keep="$(mktemp -d)"
trap 'rm -rf "$keep"' EXIT
for r in $(seq 1 "$rounds"); do
  for c in $configs; do
    "$root/jobs/bench-decoder.sh" "$shape" "$c" "$@"
    cp "$root/bench-results/decoder-$shape-${c%%:*}-${c##*:}.json" "$keep/$r-${c%%:*}-${c##*:}.json"
  done
done
python3 - "$keep" "$rounds" "$shape" "$configs" "$root/bench-results/rounds-$shape.json" <<'EOF'
import json, statistics, sys
keep, rounds, shape, configs, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split(), sys.argv[5]
figures = ("prefill_tokens_per_s", "decode_tokens_per_s", "decode_ms_per_step", "page_faults_per_decode_step", "peak_rss_mb")
report = {"shape": shape, "rounds": rounds, "configurations": {}}
for c in configs:
    runs = [json.load(open(f"{keep}/{r}-{c.replace(':', '-')}.json")) for r in range(1, rounds + 1)]
    by_batch = {}
    for run in runs:
        for b in run["decoder"]["runs"]:
            by_batch.setdefault(b["batch"], []).append(b)
    medians = {}
    for batch, rows in by_batch.items():
        m = {f: round(statistics.median(r[f] for r in rows if f in r), 2) for f in figures if any(f in r for r in rows)}
        profiles = [r["step_profile"] for r in rows if "step_profile" in r]
        if profiles:
            parts = profiles[0]["share_pct"].keys()
            m["step_share_pct"] = {p: round(statistics.median(x["share_pct"][p] for x in profiles), 2) for p in parts}
            rates = profiles[0]["weights_read_gb_per_s"].keys()
            m["weights_read_gb_per_s"] = {p: round(statistics.median(x["weights_read_gb_per_s"].get(p, 0) for x in profiles), 2)
                                          for p in rates}
            m["memory_read_gb_per_s"] = round(statistics.median(x["memory_read_gb_per_s"] for x in profiles), 2)
        medians[str(batch)] = m
    report["configurations"][c] = {
        "median": medians,
        "rounds": [r["decoder"] for r in runs],
    }
json.dump(report, open(out, "w"), indent=1)
print(out)
EOF
