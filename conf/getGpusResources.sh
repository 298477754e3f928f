#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript): prints the GPUs this executor
# may use as {"name": "gpu", "addresses": ["0", "1", ...]}. Same output as Spark's example script
# (examples/src/main/scripts/getGpusResources.sh). On YARN/Kubernetes the container only sees its own GPUs.
set -euo pipefail
addrs=$(nvidia-smi --query-gpu=index --format=csv,noheader | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n/","/g')
echo "{\"name\": \"gpu\", \"addresses\": [\"$addrs\"]}"
