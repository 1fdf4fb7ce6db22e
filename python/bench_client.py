"""MLflow's own Python client doing what the benchmarks time our client doing. The import and the
connection are outside the timed part. Prints {"seconds": [...], "count": N} as JSON.

  python bench_client.py list  --tracking-uri URL --experiment-id ID --page-size 500 --runs 5
  python bench_client.py write --tracking-uri URL --trace-ids FILE --runs 3
  python bench_client.py get   --tracking-uri URL --trace-id ID --runs 5
"""

import argparse
import json
import os
import time

os.environ.setdefault("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")

import mlflow  # noqa: E402
from mlflow.entities import AssessmentSource  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402


def list_all(client: MlflowClient, experiment_id: str, page_size: int) -> int:
    count, token = 0, None
    while True:
        page = client.search_traces(
            locations=[experiment_id], max_results=page_size, page_token=token, include_spans=False
        )
        count += len(page)
        token = page.token
        if not token:
            return count


def write_all(trace_ids: list[str], run: int) -> int:
    source = AssessmentSource(source_type="HUMAN", source_id="bench@example.com")
    for trace_id in trace_ids:
        mlflow.log_feedback(trace_id=trace_id, name=f"python_{run}", value=True, source=source)
    return len(trace_ids)


def get_one(client: MlflowClient, trace_id: str) -> int:
    return len(client.get_trace(trace_id).data.spans)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["list", "write", "get"])
    parser.add_argument("--tracking-uri", required=True)
    parser.add_argument("--experiment-id")
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--trace-ids")
    parser.add_argument("--trace-id")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    mlflow.set_tracking_uri(args.tracking_uri)
    client = MlflowClient()
    client.search_experiments(max_results=1)  # connection and lazy imports, untimed
    seconds, count = [], 0
    for run in range(args.runs):
        started = time.perf_counter()
        if args.command == "list":
            count = list_all(client, args.experiment_id, args.page_size)
        elif args.command == "get":
            count = get_one(client, args.trace_id)
        else:
            with open(args.trace_ids) as f:
                count = write_all(json.load(f), run)
        seconds.append(time.perf_counter() - started)
    print(json.dumps({"seconds": seconds, "count": count}))


if __name__ == "__main__":
    main()
