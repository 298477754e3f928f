#!/usr/bin/env bash
# BayLing on a YARN cluster with GPU executors (YARN 3.1+ GPU scheduling: Spark asks YARN for yarn.io/gpu).
# Settings live in conf/spark-yarn-gpu.properties.template (copy to conf/spark-yarn-gpu.properties and adapt):
# one GPU per executor and per task, executor cores = task cpus, libtorch CUDA from the nodes.
# Build the jar without the CPU PyTorch library:  mvn -B -DskipTests package -P without-cpu-natives
set -euo pipefail
cd "$(dirname "$0")/.."
jar=$(ls target/bayling-spark-*-job.jar | head -1)

# Client mode: the job's exit code (docs/operations.md, "Exit codes") is spark-submit's exit code.
spark-submit --master yarn --deploy-mode client \
  --properties-file conf/spark-yarn-gpu.properties \
  --files conf/getGpusResources.sh \
  --class org.bayling.cli.BaylingCli "$jar" \
  translate --incremental --checkpoint hdfs:///bayling/checkpoints/wmt22-en-zh \
  --input hdfs:///landing/wmt22/en/ --format text --src-lang en --tgt-lang zh \
  --output hdfs:///translations/wmt22-en-zh/ \
  --model hdfs:///models/BayLing-2-7B --distribution filesystem --cache-dir /local/ssd/bayling-model-cache \
  --num-beams 5 --max-new-tokens 1024 "$@"
