#!/usr/bin/env bash
# Scheduled entry point: one incremental translation run (only the files that arrived since the last run).
# Called by cron (jobs/crontab.example) or any scheduler; exits with the job's own exit code:
#   0 done (also when nothing was new)   1 failed unexpectedly: re-run   2 bad configuration
#   3 model unreadable                   4 checkpoint locked by another run: try later
#   5 partial failure: output committed, error rows above --max-error-fraction
# Client deploy mode on purpose: the driver runs here, so its exit code is spark-submit's exit code
# (in cluster mode spark-submit only reports success or failure).
#
# Configure with environment variables (defaults are examples):
set -uo pipefail
: "${SPARK_SUBMIT:=spark-submit}"
: "${BAYLING_JAR:=/opt/bayling/bayling-spark-0.1.0-SNAPSHOT-job.jar}"
: "${BAYLING_MASTER:=yarn}"
: "${BAYLING_PROPERTIES:=/opt/bayling/conf/spark-yarn-gpu.properties}"   # from conf/spark-yarn-gpu.properties.template
: "${BAYLING_INPUT:=hdfs:///landing/tickets/en/}"                       # upstream moves complete files in here
: "${BAYLING_FORMAT:=jsonl}"
: "${BAYLING_OUTPUT:=hdfs:///translations/tickets-en-zh/}"
: "${BAYLING_CHECKPOINT:=hdfs:///bayling/checkpoints/tickets-en-zh}"   # one per input/output pair
: "${BAYLING_MODEL:=hdfs:///models/BayLing-2-7B}"
: "${BAYLING_SRC_LANG:=en}"
: "${BAYLING_TGT_LANG:=zh}"

"$SPARK_SUBMIT" --master "$BAYLING_MASTER" --deploy-mode client \
  --properties-file "$BAYLING_PROPERTIES" \
  --files "$(dirname "$BAYLING_PROPERTIES")/getGpusResources.sh" \
  --class org.bayling.cli.BaylingCli "$BAYLING_JAR" \
  translate --incremental --checkpoint "$BAYLING_CHECKPOINT" \
  --input "$BAYLING_INPUT" --format "$BAYLING_FORMAT" --output "$BAYLING_OUTPUT" \
  --src-lang "$BAYLING_SRC_LANG" --tgt-lang "$BAYLING_TGT_LANG" \
  --model "$BAYLING_MODEL" --distribution filesystem --cache-dir /local/ssd/bayling-model-cache \
  --max-error-fraction 0.05 "$@"
code=$?
case $code in
  0) msg="done" ;;
  1) msg="failed unexpectedly (see the driver log); re-running is safe: committed micro-batches are not redone" ;;
  2) msg="bad configuration: fix the arguments or the input location" ;;
  3) msg="model unreadable: check $BAYLING_MODEL" ;;
  4) msg="another run holds the checkpoint lock; this run did nothing (the lock file names the holder)" ;;
  5) msg="partial failure: output committed, too many error rows (see the error column / _summary.json)" ;;
  *) msg="spark-submit ended with $code" ;;
esac
echo "$(date -u +%FT%TZ) bayling incremental run: exit $code: $msg" >&2
exit $code
