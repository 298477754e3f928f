#!/usr/bin/env bash
# Example: translate the WMT22 en->zh test set on this machine (embedded local[*] Spark), CPU.
# Re-run with --mode resume after an interruption to finish only the missing rows.
set -euo pipefail
cd "$(dirname "$0")/.."
CP="target/classes:$(cat target/classpath.txt)"   # mvn dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
java -cp "$CP" -Dpicocli.defaults.translate.path=conf/translate.properties \
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
  org.bayling.cli.TranslateCommand \
  --input ../shared/wmt22/enzh.src --format text \
  --output /tmp/bayling-wmt22-enzh \
  --src-lang en --tgt-lang zh \
  --model "${BAYLING_MODEL:-../shared/fixtures/tiny-llama2}" \
  --num-beams 1 --max-new-tokens 64 \
  --mode resume --commit-every 500 \
  --conf spark.sql.shuffle.partitions=8
