"""Seeds an experiment with N traces and their assessments, fast, for the benchmarks.

Trace infos go straight to the tracking store, so no spans are recorded; each trace gets an
LLM-judge feedback, every other one a human rating, every third an expectation, all through
MLflow's own store calls. With --store-uri (the server's own SQLite database) the calls go to
MLflow's SQL store directly, 4 at a time, two to three times as fast as through the server's REST
API (16 at a time), which is used otherwise. With --no-assessments only the trace infos are
written (test/store/tree-paging.test.ts: many traces, quickly). Deterministic: the same N gives
the same requests, previews and values. Prints {"experiment_id", "traces", "assessments",
"seconds"} as JSON.

  python bench_seed.py --tracking-uri URL --experiment NAME --traces N [--store-uri sqlite:///DB]
      [--no-assessments]
  python bench_seed.py --tracking-uri URL --experiment NAME --big-trace SPANS --payload-kb KB
"""

import argparse
import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")

import mlflow  # noqa: E402
from mlflow.entities import AssessmentSource, Expectation, Feedback, SpanType, TraceInfo, TraceLocation, TraceState  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

QUESTIONS = [
    "What's the weather in Paris?",
    "How do I attach feedback to a trace?",
    "Summarise the incident report for the on-call engineer.",
    "Which tool should the agent call next?",
]


def seed_traces(experiment_id: str, n: int, store_uri: str | None, assessments: bool) -> tuple[int, int]:
    store = MlflowClient(tracking_uri=store_uri)._tracking_client.store
    # The SQL store's connection pool holds 5 (+10 overflow); the REST store has no such limit.
    workers = 4 if store_uri else 16
    start = int(time.time() * 1000) - n * 1000

    def one(i: int) -> int:
        trace_id = "tr-" + uuid.UUID(int=(int(experiment_id) << 64) + i).hex
        question = f"{QUESTIONS[i % len(QUESTIONS)]} (#{i})"
        store.start_trace(
            TraceInfo(
                trace_id=trace_id,
                trace_location=TraceLocation.from_experiment_id(experiment_id),
                request_time=start + i * 1000,
                execution_duration=50 + i % 900,
                state=TraceState.ERROR if i % 17 == 0 else TraceState.OK,
                request_preview=json.dumps({"question": question}),
                response_preview=json.dumps(f"An answer to: {question}"),
                trace_metadata={"mlflow.trace_schema.version": "3"},
                tags={"mlflow.traceName": "bench_app", "env": "bench"},
            )
        )
        if not assessments:
            return 0
        made = [
            Feedback(
                trace_id=trace_id,
                name="correctness",
                value=i % 3 != 0,
                rationale="The answer matches the retrieved facts." if i % 3 else "It contradicts the document.",
                source=AssessmentSource(source_type="LLM_JUDGE", source_id="gpt-4o-mini"),
            )
        ]
        if i % 2 == 0:
            made.append(Feedback(trace_id=trace_id, name="rating", value=i % 5 + 1, source=AssessmentSource(source_type="HUMAN", source_id="bench@example.com")))
        if i % 3 == 0:
            made.append(Expectation(trace_id=trace_id, name="expected_response", value={"facts": [question, "cites a source"]}))
        for assessment in made:
            store.create_assessment(assessment)
        return len(made)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return n, sum(pool.map(one, range(n)))


def seed_big_trace(spans: int, payload_kb: int) -> str:
    """One trace of `spans` spans (a tree: 10 tool calls under each of spans/10 steps), with
    `payload_kb` KB of inputs and outputs spread over them, through MLflow's tracing SDK."""
    per_span = "x" * max(1, payload_kb * 1024 // (2 * spans))
    steps = max(1, spans // 10)
    with mlflow.start_span(name="big_agent", span_type=SpanType.AGENT) as root:
        root.set_inputs({"question": "a long agent run"})
        made = 1
        for s in range(steps):
            with mlflow.start_span(name=f"step_{s}", span_type=SpanType.CHAIN) as step:
                step.set_inputs({"step": s, "notes": per_span})
                made += 1
                for t in range(9):
                    if made >= spans:
                        break
                    with mlflow.start_span(name=f"tool_{s}_{t}", span_type=SpanType.TOOL) as tool:
                        tool.set_inputs({"query": per_span})
                        tool.set_outputs({"result": per_span})
                        made += 1
                step.set_outputs({"done": True})
        root.set_outputs({"answer": "done"})
    return mlflow.get_last_active_trace_id()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracking-uri", required=True)
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--traces", type=int, default=0)
    parser.add_argument("--store-uri", help="the server's database, written directly for speed")
    parser.add_argument("--no-assessments", action="store_true", help="trace infos only")
    parser.add_argument("--big-trace", type=int, default=0, help="spans in one big trace")
    parser.add_argument("--payload-kb", type=int, default=4096)
    args = parser.parse_args()
    mlflow.set_tracking_uri(args.tracking_uri)
    experiment_id = mlflow.set_experiment(args.experiment).experiment_id
    started = time.perf_counter()
    out = {"experiment_id": experiment_id}
    if args.traces:
        out["traces"], out["assessments"] = seed_traces(
            experiment_id, args.traces, args.store_uri, not args.no_assessments
        )
    if args.big_trace:
        out["trace_id"] = seed_big_trace(args.big_trace, args.payload_kb)
    out["seconds"] = round(time.perf_counter() - started, 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
