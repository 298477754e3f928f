"""Daily incremental BayLing translation with Airflow's SparkSubmitOperator.

Each run translates only the files that arrived under the input since the previous run (the checkpoint
records them); a day with nothing new ends in seconds with exit code 0.

Exit codes of the job (docs/operations.md, "Exit codes"):
  0 done (also: nothing new)          1 failed unexpectedly: retrying is safe
  2 bad configuration                 3 model unreadable
  4 checkpoint locked by another run  5 partial failure: output committed, error rows above --max-error-fraction

SparkSubmitOperator fails the task on any non-zero code; the hook's error message carries the code
("... Error code is: 4."), which the failure callback below turns into a readable reason. Retries cover
1 (transient) and 4 (the previous run still finishing); 2, 3 and 5 fail the same way again and need a person.
Deploy mode "client" (set in the connection's extra: {"deploy-mode": "client"}) keeps the driver on the
Airflow worker so spark-submit's exit code is the job's; in cluster mode only success/failure come back.
"""
import re
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

EXIT_CODES = {
    1: "failed unexpectedly (Spark job, storage): retrying is safe",
    2: "bad configuration (arguments, options, input location)",
    3: "model unreadable",
    4: "checkpoint locked by another run (previous run still going?)",
    5: "partial failure: output committed, error rows above --max-error-fraction",
}

JAR = "/opt/bayling/bayling-spark-0.1.0-SNAPSHOT-job.jar"


def explain_exit_code(context):
    match = re.search(r"Error code is: (\d+)", str(context.get("exception")))
    if match:
        code = int(match.group(1))
        context["task_instance"].log.error("bayling exit code %d: %s", code, EXIT_CODES.get(code, "unknown"))


with DAG(
    dag_id="bayling_incremental_translation",
    schedule="30 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,          # one run covers every file that arrived since the last one
    max_active_runs=1,      # Airflow's own guard; the checkpoint lock also covers cron/manual runs
    default_args={"retries": 2, "retry_delay": timedelta(minutes=20)},
    tags=["translation", "bayling"],
) as dag:
    SparkSubmitOperator(
        task_id="translate_new_files",
        conn_id="spark_yarn_client",     # host: yarn, extra: {"deploy-mode": "client"}
        application=JAR,
        java_class="org.bayling.cli.BaylingCli",
        name="bayling-incremental-{{ ds }}",
        properties_file="/opt/bayling/conf/spark-yarn-gpu.properties",
        files="/opt/bayling/conf/getGpusResources.sh",
        driver_memory="8g",
        application_args=[
            "translate", "--incremental",
            "--checkpoint", "hdfs:///bayling/checkpoints/tickets-en-zh",
            "--input", "hdfs:///landing/tickets/en/", "--format", "jsonl",
            "--output", "hdfs:///translations/tickets-en-zh/",
            "--src-lang", "en", "--tgt-lang", "zh",
            "--model", "hdfs:///models/BayLing-2-7B", "--distribution", "filesystem",
            "--cache-dir", "/local/ssd/bayling-model-cache",
            "--max-error-fraction", "0.05",
        ],
        on_failure_callback=explain_exit_code,
        on_retry_callback=explain_exit_code,
        execution_timeout=timedelta(hours=20),
    )
