#!/usr/bin/env bash
# BayLing on Kubernetes with GPU executors (nvidia.com/gpu via the NVIDIA device plugin).
# Settings live in conf/spark-k8s-gpu.properties.template and the executor pod template
# conf/k8s-gpu-executor-pod.yaml.template (node selector, tolerations, local SSD for the model cache).
# The image holds Spark 4.2, a CUDA libtorch 2.7.1 (PYTORCH_LIBRARY_PATH) and the job jar built with
#   mvn -B -DskipTests package -P without-cpu-natives   ->   /opt/bayling/bayling-spark-job.jar
set -euo pipefail
cd "$(dirname "$0")/.."

# Cluster mode: the driver runs in a pod. spark-submit then reports success or failure only; the job's
# exit code is the driver container's: kubectl get pod <driver> -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode}'
spark-submit --master k8s://https://kubernetes.default.svc:443 --deploy-mode cluster \
  --properties-file conf/spark-k8s-gpu.properties \
  --class org.bayling.cli.BaylingCli local:///opt/bayling/bayling-spark-job.jar \
  translate --incremental --checkpoint s3a://translation/checkpoints/tickets-en-zh \
  --input s3a://landing/tickets/en/ --format jsonl --src-lang en --tgt-lang zh \
  --output s3a://translation/tickets-en-zh/ \
  --model s3a://models/BayLing-2-7B --distribution filesystem --cache-dir /cache/bayling-models "$@"
# Note: the checkpoint lock needs an atomic create-if-absent. On S3A that holds only where the store and
# Hadoop's S3A client support conditional writes; otherwise keep --checkpoint on HDFS or a shared POSIX
# volume, or make sure only one scheduler starts runs (see docs/incremental.md).
