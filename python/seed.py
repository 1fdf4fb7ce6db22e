"""Seeds an MLflow server with traces made the way users make them, with MLflow's own SDK.

Usage: python seed.py --tracking-uri URL
Prints a JSON summary on stdout: experiment ids and trace ids by role, for tests and the demo.

What it creates:
- "Guide example": the seed guide's `my_app` trace with every assessment the guide logs.
- "Sample apps": an agent with tool calls, a retrieval app, a chat app, a failing app, a trace
  whose output holds HTML and script (untrusted text), and a trace whose spans are stored as an
  artifact (as older clients did), with LLM-judge feedback, a failed judge, a human rating,
  an override and expectations spread over them.
"""

import argparse
import contextlib
import json
import os

os.environ.setdefault("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")

import mlflow  # noqa: E402
from mlflow.entities import AssessmentError, AssessmentSource, SpanType  # noqa: E402
from sample_app import chat_app, failing_app, rag_app, untrusted_output_app, weather_agent  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def last_trace_id():
    return mlflow.get_last_active_trace_id()


def log_guide_assessments(trace_id):
    with open(os.path.join(HERE, "guide_examples.json")) as f:
        examples = json.load(f)
    for fb in examples["feedback"]:
        error = fb.get("error")
        mlflow.log_feedback(
            trace_id=trace_id,
            name=fb["name"],
            value=fb.get("value"),
            rationale=fb.get("rationale"),
            source=AssessmentSource(**fb["source"]),
            error=AssessmentError(**error) if error else None,
            metadata=fb.get("metadata"),
        )
    for ex in examples["expectation"]:
        mlflow.log_expectation(
            trace_id=trace_id,
            name=ex["name"],
            value=ex["value"],
            source=AssessmentSource(**ex["source"]),
            metadata=ex.get("metadata"),
        )


def seed_guide():
    mlflow.set_experiment("Guide example")

    @mlflow.trace
    def my_app(input: str) -> str:
        return input + "_output"

    my_app(input="hello")
    trace_id = last_trace_id()
    log_guide_assessments(trace_id)
    return trace_id


@contextlib.contextmanager
def spans_as_artifact():
    """Stores the next trace's spans in the artifact store instead of the tracking database, as
    MLflow clients before incremental span logging did, so both storage paths get tested."""
    from mlflow.tracing.export.mlflow_v3 import MlflowV3SpanExporter

    original = MlflowV3SpanExporter._export_spans_incrementally
    MlflowV3SpanExporter._export_spans_incrementally = lambda self, spans: None
    try:
        yield
    finally:
        MlflowV3SpanExporter._export_spans_incrementally = original


def judge(trace_id, name, value, rationale, model="gpt-4o-mini"):
    return mlflow.log_feedback(
        trace_id=trace_id,
        name=name,
        value=value,
        rationale=rationale,
        source=AssessmentSource(source_type="LLM_JUDGE", source_id=model),
        metadata={"mlflow.assessment.judgeCost": 0.00042, "mlflow.assessment.judgeInputTokens": 812},
    )


def seed_samples():
    experiment_id = mlflow.set_experiment("Sample apps").experiment_id
    traces = {}

    weather_agent("What's the weather in Paris?")
    traces["agent"] = tid = last_trace_id()
    judged = judge(tid, "correctness", False, "The answer does not mention the temperature unit.")
    mlflow.override_feedback(
        trace_id=tid,
        assessment_id=judged.assessment_id,
        value=True,
        rationale="18°C is stated; the judge misread it.",
        source=AssessmentSource(source_type="HUMAN", source_id="reviewer@example.com"),
    )
    mlflow.log_expectation(trace_id=tid, name="expected_tool_calls", value=[{"name": "get_weather", "arguments": {"city": "Paris"}}])

    rag_app("How do I attach feedback to a trace?")
    traces["rag"] = tid = last_trace_id()
    judge(tid, "groundedness", "yes", "Every claim is supported by the retrieved documents.")
    mlflow.log_feedback(
        trace_id=tid,
        name="retrieval_relevance",
        value=0.5,
        source=AssessmentSource(source_type="CODE", source_id="relevance_scorer.py"),
        span_id=mlflow.get_trace(tid).search_spans(span_type=SpanType.RETRIEVER)[0].span_id,
    )
    mlflow.log_expectation(trace_id=tid, name="expected_response", value="Use mlflow.log_feedback with the trace id.")

    chat_app([{"role": "user", "content": "Hi there"}])
    traces["chat"] = tid = last_trace_id()
    mlflow.log_feedback(
        trace_id=tid,
        name="tone",
        error=AssessmentError(error_code="RATE_LIMIT_EXCEEDED", error_message="Judge rate limit exceeded", stack_trace="Traceback (most recent call last):\n  ...\nRateLimitError: 429"),
        source=AssessmentSource(source_type="LLM_JUDGE", source_id="gpt-4o"),
    )

    with contextlib.suppress(ValueError):
        failing_app("what?")
    traces["error"] = last_trace_id()

    untrusted_output_app("<b>show me html</b>")
    traces["untrusted"] = last_trace_id()

    with spans_as_artifact():
        chat_app([{"role": "user", "content": "stored as an artifact"}])
    traces["artifact_spans"] = tid = last_trace_id()
    mlflow.log_feedback(trace_id=tid, name="human_rating", value=5, source=AssessmentSource(source_type="HUMAN", source_id="reviewer@example.com"))

    return experiment_id, traces


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracking-uri", default=os.environ.get("MLFLOW_TRACKING_URI"))
    args = parser.parse_args()
    mlflow.set_tracking_uri(args.tracking_uri)
    guide_trace = seed_guide()
    guide_experiment = mlflow.get_experiment_by_name("Guide example").experiment_id
    samples_experiment, traces = seed_samples()
    print(json.dumps({
        "experiments": {"guide": guide_experiment, "samples": samples_experiment},
        "traces": {"guide": guide_trace, **traces},
    }))


if __name__ == "__main__":
    main()
