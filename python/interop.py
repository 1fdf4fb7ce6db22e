"""MLflow's own Python SDK, driven by the tests to check interop with the extension's client.

Usage: python interop.py   (the tracking URI comes from MLFLOW_TRACKING_URI)
Reads one JSON request a line on stdin, {"id", "command", "args"}, and answers each with one
line, {"id", "result"} or {"id", "error"}. Each command is one SDK call, so the tests can log on
one side and read on the other; one process serves a whole test file (importing mlflow is slow).
"""

import contextlib
import json
import os
import sys

os.environ.setdefault("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")

import mlflow  # noqa: E402
from mlflow.entities import AssessmentError, AssessmentSource, Expectation, Feedback  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def _source(d):
    if d is None:
        return None
    return AssessmentSource(source_type=d["source_type"], source_id=d.get("source_id", "default"))


def _error(d):
    if d is None:
        return None
    return AssessmentError(
        error_code=d["error_code"],
        error_message=d.get("error_message"),
        stack_trace=d.get("stack_trace"),
    )


def _dump(assessment):
    # The proto form (snake_case, what the server stores), as MLflow itself serializes it.
    return assessment.to_dictionary()


def create_trace(args):
    """A trace from a traced function, as a user's app makes one; with "spans_as_artifact",
    its spans go to the artifact store as older clients stored them."""
    from seed import spans_as_artifact

    mlflow.set_experiment(args.get("experiment", "interop"))

    @mlflow.trace
    def my_app(input: str) -> str:
        with mlflow.start_span(name="child") as span:
            span.set_inputs({"x": input})
            span.set_outputs({"y": input.upper()})
        return input + "_output"

    with spans_as_artifact() if args.get("spans_as_artifact") else contextlib.nullcontext():
        my_app(input=args.get("input", "hello"))
    trace_id = mlflow.get_last_active_trace_id()
    trace = mlflow.get_trace(trace_id)
    return {
        "trace_id": trace_id,
        "experiment_id": trace.info.experiment_id,
        "span_ids": {s.name: s.span_id for s in trace.data.spans},
    }


def log_feedback(args):
    a = mlflow.log_feedback(
        trace_id=args["trace_id"],
        name=args.get("name", "feedback"),
        value=args.get("value"),
        source=_source(args.get("source")),
        error=_error(args.get("error")),
        rationale=args.get("rationale"),
        metadata=args.get("metadata"),
        span_id=args.get("span_id"),
    )
    return _dump(a)


def log_expectation(args):
    a = mlflow.log_expectation(
        trace_id=args["trace_id"],
        name=args["name"],
        value=args["value"],
        source=_source(args.get("source")),
        metadata=args.get("metadata"),
        span_id=args.get("span_id"),
    )
    return _dump(a)


def log_guide_examples(args):
    """Every example of the seed guide, logged by the SDK exactly as the guide does it."""
    with open(os.path.join(HERE, "guide_examples.json")) as f:
        examples = json.load(f)
    logged = []
    for fb in examples["feedback"]:
        logged.append(log_feedback({"trace_id": args["trace_id"], **fb}))
    for ex in examples["expectation"]:
        logged.append(log_expectation({"trace_id": args["trace_id"], **ex}))
    return logged


def override_feedback(args):
    a = mlflow.override_feedback(
        trace_id=args["trace_id"],
        assessment_id=args["assessment_id"],
        value=args["value"],
        rationale=args.get("rationale"),
        source=_source(args.get("source")),
        metadata=args.get("metadata"),
    )
    return _dump(a)


def update_assessment(args):
    if args["kind"] == "feedback":
        new = Feedback(name=args["name"], value=args.get("value"), rationale=args.get("rationale"))
    else:
        new = Expectation(name=args["name"], value=args["value"])
    return _dump(mlflow.update_assessment(args["trace_id"], args["assessment_id"], new))


def delete_assessment(args):
    mlflow.delete_assessment(trace_id=args["trace_id"], assessment_id=args["assessment_id"])
    return {}


def get_assessment(args):
    return _dump(mlflow.get_assessment(args["trace_id"], args["assessment_id"]))


def trace_assessments(args):
    """What `mlflow.get_trace(...).info.assessments` holds, each as MLflow serializes it."""
    trace = mlflow.get_trace(args["trace_id"])
    return [_dump(a) for a in trace.info.assessments]


def assessment_values(args):
    """The Python values (after the SDK's own decoding) of a trace's assessments, by id."""
    trace = mlflow.get_trace(args["trace_id"])
    out = {}
    for a in trace.info.assessments:
        out[a.assessment_id] = {
            "name": a.name,
            "value": a.value,
            "valid": a.valid,
            "overrides": getattr(a, "overrides", None),
            "metadata": a.metadata,
        }
    return out


# The hostile-content corpus: what LLM output and other people's data can hold. Each entry is
# written into every place a trace carries text (test/vscode/8-hostile.test.ts reads it back).
HOSTILE = {
    "script": "<script>window.__mtrPwned='script'</script>",
    "onerror": "<img src=x onerror=\"window.__mtrPwned='img'\">",
    "javascript_url": "<a href=\"javascript:window.__mtrPwned='link'\">click</a>",
    "markdown": "![pixel](https://tracker.example.invalid/p.png) [site](https://example.invalid)",
    "command_link": "[reload](command:workbench.action.reloadWindow) $(zap)",
    "line_breaks": "one\rtwo\r\nthree\u2028four\u2029five `tick` \u0085six",
    "bidi": "\u202eeslaf\u202c \u2066isolated\u2069",
    "__proto__": "a key named __proto__",
    "constructor": "a key named constructor",
}


def create_hostile_trace(args):
    """A trace with the corpus in its name, tags, span names, status, inputs and outputs and a
    1 MB string, and in its assessments' names, values, rationales, metadata and error messages;
    all written through MLflow's own SDK. (JSON nested 2 000 deep cannot go through MLflow: a
    span holding JSON nested 500 deep is never stored whole, and get_trace returns None. The test
    puts it into the server's answer instead.)"""
    from mlflow.entities import SpanStatus, SpanStatusCode

    mlflow.set_experiment(args.get("experiment", "Hostile content"))
    corpus = " ".join(HOSTILE.values())
    with mlflow.start_span(name=f"hostile {HOSTILE['script']} {HOSTILE['bidi']}") as root:
        mlflow.update_current_trace(tags={k: v for k, v in HOSTILE.items()})
        root.set_inputs({**HOSTILE, "messages": [{"role": "user", "content": corpus}]})
        with mlflow.start_span(name=f"span {HOSTILE['markdown']} {HOSTILE['line_breaks']}") as child:
            child.set_inputs({"big": "x" * 1_000_000})
            child.set_outputs({"done": True})
            child.set_status(SpanStatus(SpanStatusCode.ERROR, description=corpus))
        root.set_outputs(corpus)
    trace_id = mlflow.get_last_active_trace_id()
    judge = AssessmentSource(source_type="LLM_JUDGE", source_id=HOSTILE["command_link"])
    mlflow.log_feedback(
        trace_id=trace_id,
        name=f"name {HOSTILE['markdown']}",
        value=HOSTILE["bidi"],
        rationale=corpus,
        source=judge,
        metadata=dict(HOSTILE),
    )
    mlflow.log_feedback(
        trace_id=trace_id,
        name="failed judge",
        error=AssessmentError(error_code=HOSTILE["command_link"], error_message=corpus, stack_trace=corpus),
        source=judge,
    )
    mlflow.log_expectation(trace_id=trace_id, name=f"expected {HOSTILE['onerror']}", value=dict(HOSTILE))
    return {"trace_id": trace_id, "corpus": HOSTILE}


def create_long_values_trace(args):
    """A trace whose root span reads a long text and returns a long list (the panel shows the
    start of each, with a "Show all")."""
    mlflow.set_experiment(args.get("experiment", "Long values"))

    @mlflow.trace
    def long_values(text: str) -> list:
        return list(range(args.get("items", 150)))

    long_values("\n".join(f"line {i}: " + "x" * 40 for i in range(args.get("lines", 80))))
    trace_id = mlflow.get_last_active_trace_id()
    return {"trace_id": trace_id}


def create_fixture_trace(args):
    """A trace re-created from a conversation fixture captured from real autologging
    (test/fixtures/conversations/<fixture>.json, written by capture_chat_fixtures.py): its spans
    with the recorded names, span types, inputs, outputs and attributes, through the SDK's own
    span API. A span whose recorded parent was not kept in the fixture hangs from the root."""
    path = os.path.join(HERE, "..", "test", "fixtures", "conversations", f"{args['fixture']}.json")
    with open(path) as f:
        fixture = json.load(f)
    mlflow.set_experiment(args.get("experiment", "Conversations"))
    spans = fixture["spans"]
    root_data = next(s for s in spans if s["parent"] is None)
    made = {}

    def start(data, parent):
        span = mlflow.start_span_no_context(
            name=data["name"],
            span_type=data["span_type"],
            parent_span=parent,
            inputs=data["inputs"],
            attributes={k: v for k, v in data["attributes"].items() if k != "mlflow.spanType"},
        )
        made[data["name"]] = span
        return span

    root = start(root_data, None)
    children = []
    for data in spans:
        if data is root_data:
            continue
        span = start(data, made.get(data["parent"], root))
        children.append((span, data))
    for span, data in reversed(children):
        span.set_outputs(data["outputs"])
        span.end()
    root.set_outputs(root_data["outputs"])
    root.end()
    trace_id = root.trace_id
    trace = mlflow.get_trace(trace_id)
    return {
        "trace_id": trace_id,
        "experiment_id": trace.info.experiment_id,
        "span_ids": {s.name: s.span_id for s in trace.data.spans},
    }


def create_llm_trace(args):
    """A trace of an agent whose chat-model span is recorded as MLflow's OpenAI autologging
    records one (mlflow/openai/autolog.py, without a network): the request's parameters as
    attributes, the model (`mlflow.llm.model`) and the token usage (`mlflow.chat.tokenUsage`)
    set on the span. Its cost (`mlflow.llm.cost`, and the trace's `mlflow.trace.cost`) is what
    the tracking server computes from those when it stores the span, as it does for any OSS
    server. The trace has the session and user an app sets with `update_current_trace`."""
    from mlflow.entities import SpanType
    from mlflow.tracing.constant import SpanAttributeKey
    from mlflow.tracing.utils import set_span_model_attribute

    mlflow.set_experiment(args.get("experiment", "LLM calls"))
    model = args.get("model", "gpt-4o-mini")
    usage = args.get("usage", {"input_tokens": 12, "output_tokens": 14, "total_tokens": 26})
    question = args.get("question", "What is MLflow?")
    request = {"model": model, "temperature": 0.2, "messages": [{"role": "user", "content": question}]}
    response = {
        "id": "chatcmpl-interop",
        "object": "chat.completion",
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": "An open source platform for the ML lifecycle."},
            "finish_reason": "stop",
        }],
        "usage": {
            "prompt_tokens": usage["input_tokens"],
            "completion_tokens": usage["output_tokens"],
            "total_tokens": usage["total_tokens"],
        },
    }

    @mlflow.trace(name="llm_agent", span_type=SpanType.AGENT)
    def agent(question):
        mlflow.update_current_trace(session_id=args.get("session", "session-1"), user=args.get("user", "alice@example.com"))
        # As openai's autolog starts the span: parameters but the messages become attributes.
        attributes = {k: v for k, v in request.items() if k != "messages"}
        attributes[SpanAttributeKey.MESSAGE_FORMAT] = "openai"
        with mlflow.start_span(name="Completions", span_type=SpanType.CHAT_MODEL, attributes=attributes) as span:
            span.set_inputs(request)
            span.set_outputs(response)
            set_span_model_attribute(span, request)
            span.set_attribute(SpanAttributeKey.CHAT_USAGE, usage)
        return response["choices"][0]["message"]["content"]

    agent(question)
    trace_id = mlflow.get_last_active_trace_id()
    trace = mlflow.get_trace(trace_id)
    llm = next(s for s in trace.data.spans if s.span_type == SpanType.CHAT_MODEL)
    return {
        "trace_id": trace_id,
        "experiment_id": trace.info.experiment_id,
        "span_ids": {s.name: s.span_id for s in trace.data.spans},
        # What MLflow's own reader gives back: the test compares the panel with it.
        "attributes": {k: v for k, v in llm.attributes.items() if k not in ("mlflow.spanInputs", "mlflow.spanOutputs")},
        "trace_metadata": trace.info.trace_metadata,
    }


def span_summaries(args):
    trace = mlflow.get_trace(args["trace_id"])
    return [
        {"span_id": s.span_id, "parent_id": s.parent_id, "name": s.name, "inputs": s.inputs}
        for s in trace.data.spans
    ]


# ---- sessions (test/store/sessions.test.ts, test/vscode/9-sessions.test.ts) -------------------

def create_session(args):
    """Three turns (or `turns`) of one conversation, as an app logs them: each a traced call that
    sets the session and the user with mlflow.update_current_trace(metadata=...), and the
    trace's token usage and cost as MLflow's own LLM spans would aggregate them."""
    mlflow.set_experiment(args.get("experiment", "Sessions"))
    session_id = args["session_id"]
    user = args.get("user", "alice@example.com")
    questions = args.get("questions", ["Hi, I need a hotel in Lyon", "For two nights", "Book it"])

    history = []

    @mlflow.trace(name="concierge")
    def concierge(question: str) -> str:
        mlflow.update_current_trace(
            metadata={"mlflow.trace.session": session_id, "mlflow.trace.user": user}
        )
        with mlflow.start_span(name="llm", span_type="CHAT_MODEL") as span:
            span.set_inputs({"messages": [*history, {"role": "user", "content": question}]})
            span.set_outputs({"choices": [{"message": {"role": "assistant", "content": f"Re: {question}"}}]})
            span.set_attribute("mlflow.chat.tokenUsage", {"input_tokens": 12, "output_tokens": 5, "total_tokens": 17})
            span.set_attribute("mlflow.llm.cost", {"input_cost": 0.0012, "output_cost": 0.001, "total_cost": 0.0022})
        return f"Re: {question}"

    trace_ids = []
    for question in questions:
        answer = concierge(question)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        trace_ids.append(mlflow.get_last_active_trace_id())
    trace = mlflow.get_trace(trace_ids[0])
    return {"trace_ids": trace_ids, "experiment_id": trace.info.experiment_id, "session_id": session_id}


def session_readback(args):
    """A session as MLflow's own APIs see it: mlflow.search_sessions() (its traces, oldest first),
    the session-level assessments on them (metadata mlflow.trace.session), and which traces
    mlflow.search_traces matches with a `feedback.<name>` filter."""
    from mlflow.tracing.constant import TraceMetadataKey

    experiment_id = args["experiment_id"]
    session_id = args["session_id"]
    sessions = mlflow.search_sessions(locations=[experiment_id], include_spans=False, max_results=100)
    session = next((s for s in sessions if s.id == session_id), None)
    if session is None:
        raise ValueError(f"search_sessions found no session {session_id}")
    traces = sorted(session.traces, key=lambda t: t.info.request_time)
    session_assessments = [
        {"trace_id": t.info.trace_id, **_dump(a)}
        for t in traces
        for a in mlflow.get_trace(t.info.trace_id).info.assessments
        if TraceMetadataKey.TRACE_SESSION in (a.metadata or {})
    ]
    matched = mlflow.search_traces(
        locations=[experiment_id],
        filter_string=args["filter"],
        return_type="list",
        include_spans=False,
    )
    return {
        "trace_ids": [t.info.trace_id for t in traces],
        "session_assessments": session_assessments,
        "filter_matches": sorted(t.info.trace_id for t in matched),
    }


# ---- review: label schemas and review queues (test/integration/review.test.ts) ---------------

def _entity(entity):
    """A review entity as MLflow's Python API gives it (its dataclass fields, enums as their
    values), and for a label schema the input's class."""
    import dataclasses

    out = json.loads(json.dumps(dataclasses.asdict(entity), default=str))
    if hasattr(entity, "input"):
        out["input_type"] = type(entity.input).__name__
    return out


def _label_input(d):
    from mlflow.genai import label_schemas as ls

    kind = d["kind"]
    if kind == "pass_fail":
        return ls.InputPassFail(positive_label=d["positive_label"], negative_label=d["negative_label"])
    if kind == "categorical":
        return ls.InputCategorical(options=d["options"], multi_select=d.get("multi_select", False))
    if kind == "numeric":
        return ls.InputNumeric(min_value=d.get("min_value"), max_value=d.get("max_value"))
    if kind == "text":
        return ls.InputText(max_length=d.get("max_length"))
    raise ValueError(f"unknown input kind {kind}")


def create_label_schema(args):
    from mlflow.genai import label_schemas as ls

    return _entity(ls.create_label_schema(
        args["name"],
        type=args.get("type", "feedback"),
        input=_label_input(args["input"]),
        instruction=args.get("instruction"),
        enable_comment=args.get("enable_comment", False),
        experiment_id=args["experiment_id"],
    ))


def get_label_schema(args):
    from mlflow.genai import label_schemas as ls

    return _entity(ls.get_label_schema(schema_id=args["schema_id"]))


def list_label_schemas(args):
    from mlflow.genai import label_schemas as ls

    return [_entity(s) for s in ls.list_label_schemas(args["experiment_id"], max_results=1000)]


def create_review_queue(args):
    from mlflow.genai import review_queues as rq

    return _entity(rq.create_review_queue(
        args["name"],
        queue_type=args.get("queue_type", "custom"),
        users=args.get("users"),
        schema_ids=args.get("schema_ids"),
        experiment_id=args["experiment_id"],
    ))


def get_or_create_user_queue(args):
    from mlflow.genai import review_queues as rq

    return _entity(rq.get_or_create_user_queue(args["user"], experiment_id=args["experiment_id"]))


def get_review_queue(args):
    from mlflow.genai import review_queues as rq

    return _entity(rq.get_review_queue(args["queue_id"]))


def list_review_queues(args):
    from mlflow.genai import review_queues as rq

    return [_entity(q) for q in rq.list_review_queues(
        user=args.get("user"), experiment_id=args["experiment_id"], max_results=1000
    )]


def add_items_to_review_queue(args):
    from mlflow.genai import review_queues as rq

    return [_entity(i) for i in rq.add_items_to_review_queue(args["queue_id"], item_ids=args["item_ids"])]


def list_review_queue_items(args):
    from mlflow.genai import review_queues as rq

    return [_entity(i) for i in rq.list_review_queue_items(
        args["queue_id"], status=args.get("status"), max_results=1000
    )]


def set_review_queue_item_status(args):
    from mlflow.genai import review_queues as rq

    return _entity(rq.set_review_queue_item_status(
        args["queue_id"], item_id=args["item_id"], status=args["status"],
        completed_by=args.get("completed_by"),
    ))


def update_label_schema(args):
    from mlflow.genai import label_schemas as ls

    return _entity(ls.update_label_schema(
        args["schema_id"],
        name=args.get("name"),
        instruction=args.get("instruction"),
        enable_comment=args.get("enable_comment"),
        input=_label_input(args["input"]) if "input" in args else None,
    ))


def delete_review_queue(args):
    from mlflow.genai import review_queues as rq

    rq.delete_review_queue(args["queue_id"])
    return {}


def remove_items_from_review_queue(args):
    from mlflow.genai import review_queues as rq

    rq.remove_items_from_review_queue(args["queue_id"], item_ids=args["item_ids"])
    return {}


def review_answers(args):
    """A trace's assessments as a reviewer's answers read in Python: name, kind, value, source,
    rationale, validity and what each overrides, oldest first. The SDK's Expectation.from_proto
    drops `valid` and `overrides`, so for expectations those two come from the server's JSON,
    read with the SDK's own HTTP helper and credentials."""
    from mlflow.utils.credentials import get_default_host_creds
    from mlflow.utils.rest_utils import http_request

    trace = mlflow.get_trace(args["trace_id"])
    wire = http_request(
        get_default_host_creds(mlflow.get_tracking_uri()),
        f"/api/3.0/mlflow/traces/{args['trace_id']}",
        "GET",
    ).json()["trace"]["trace_info"].get("assessments", [])
    wire_by_id = {a["assessment_id"]: a for a in wire}
    out = []
    for a in sorted(trace.info.assessments, key=lambda a: a.create_time_ms):
        expectation = isinstance(a, Expectation)
        raw = wire_by_id.get(a.assessment_id, {})
        out.append({
            "assessment_id": a.assessment_id,
            "name": a.name,
            "kind": "expectation" if expectation else "feedback",
            "value": a.value,
            "source_type": a.source.source_type,
            "source_id": a.source.source_id,
            "rationale": getattr(a, "rationale", None),
            "valid": raw.get("valid", True) if expectation else a.valid,
            "overrides": raw.get("overrides") if expectation else getattr(a, "overrides", None),
        })
    return out


def schema_answers(args):
    """The trace's assessments named after a question, as MLflow's Python API reads them: feedback
    or expectation, the value and its Python type, the source, the rationale, valid or not."""
    trace = mlflow.get_trace(args["trace_id"])
    out = []
    for a in trace.info.assessments:
        if a.name != args["name"]:
            continue
        kind = type(a).__name__.lower()  # Feedback or Expectation
        out.append({
            "kind": kind,
            "value": a.value,
            "value_type": type(a.value).__name__,
            "source_type": a.source.source_type,
            "source_id": a.source.source_id,
            "rationale": a.rationale,
            "valid": a.valid,
        })
    return out


def create_user(args):
    """A user of a server with basic authentication, with a permission on an experiment
    (mlflow.server.auth's own client; the SDK process signs in as the admin)."""
    from mlflow.server import get_app_client

    auth = get_app_client("basic-auth", tracking_uri=mlflow.get_tracking_uri())
    auth.create_user(username=args["username"], password=args["password"])
    if args.get("experiment_id") and args.get("permission"):
        auth.grant_user_permission(args["username"], "experiment", args["experiment_id"], args["permission"])
    return {}


def run_app(args):
    """Runs a Python file as a person runs their app (its own process, `python FILE ARGS` in
    `cwd`), against this tracking server; returns what it printed last, as JSON."""
    import subprocess

    env = dict(os.environ, MLFLOW_TRACKING_URI=mlflow.get_tracking_uri())
    done = subprocess.run(
        [sys.executable, args["file"], *args.get("args", [])],
        cwd=args.get("cwd"), env=env, capture_output=True, text=True, timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args['file']} exited {done.returncode}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def trace_record(args):
    """What MLflow's SDK reads of a trace: its metadata and, per span, its name and
    `mlflow.spanFunctionName` attribute."""
    trace = mlflow.get_trace(args["trace_id"])
    return {
        "metadata": dict(trace.info.trace_metadata),
        "spans": [
            {"name": s.name, "function_name": s.get_attribute("mlflow.spanFunctionName")}
            for s in trace.data.spans
        ],
    }


def search_by_span_name(args):
    """The trace ids MLflow's own search finds with `span.name = '...'`."""
    found = mlflow.search_traces(
        locations=[args["experiment_id"]], filter_string=args["filter"], return_type="list"
    )
    return sorted(t.info.trace_id for t in found)


# ---- evaluation datasets (test/integration/datasets.test.ts) ------------------------------

def _dataset(ds):
    return {
        "dataset_id": ds.dataset_id,
        "name": ds.name,
        "tags": ds.tags,
        "experiment_ids": list(ds.experiment_ids or []),
        "created_by": ds.created_by,
    }


def create_dataset(args):
    from mlflow.genai import datasets

    return _dataset(datasets.create_dataset(
        name=args["name"], experiment_id=args.get("experiment_ids"), tags=args.get("tags")
    ))


def get_dataset(args):
    from mlflow.genai import datasets

    return _dataset(datasets.get_dataset(dataset_id=args["dataset_id"]))


def search_datasets(args):
    from mlflow.genai import datasets

    return [_dataset(d) for d in datasets.search_datasets(experiment_ids=args["experiment_ids"])]


def merge_trace_records(args):
    """MLflow's own way to add traces to a dataset: merge_records with Trace objects."""
    from mlflow.genai import datasets

    ds = datasets.get_dataset(dataset_id=args["dataset_id"])
    ds.merge_records([mlflow.get_trace(t) for t in args["trace_ids"]])
    return {}


def dataset_records(args):
    """The records as MLflow's Python API reads them (`to_df()`), one dict a row."""
    from mlflow.genai import datasets

    df = datasets.get_dataset(dataset_id=args["dataset_id"]).to_df()
    return json.loads(df.to_json(orient="records"))


def delete_dataset(args):
    from mlflow.genai import datasets

    datasets.delete_dataset(dataset_id=args["dataset_id"])
    return {}


COMMANDS = {f.__name__: f for f in [
    create_trace, log_feedback, log_expectation, log_guide_examples, override_feedback,
    update_assessment, delete_assessment, get_assessment, trace_assessments, assessment_values,
    span_summaries, create_hostile_trace, create_fixture_trace, create_llm_trace,
    create_long_values_trace,
    create_session, session_readback, create_label_schema, get_label_schema, list_label_schemas,
    create_review_queue, get_or_create_user_queue, get_review_queue, list_review_queues,
    add_items_to_review_queue, list_review_queue_items, set_review_queue_item_status, create_user,
    run_app, trace_record, search_by_span_name,
    update_label_schema, delete_review_queue, remove_items_from_review_queue, review_answers,
    schema_answers,
    create_dataset, get_dataset, search_datasets, merge_trace_records, dataset_records,
    delete_dataset,
]}


def serve():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            reply = {"id": request["id"], "result": COMMANDS[request["command"]](request.get("args", {}))}
        except Exception as e:  # reported to the test, which fails with the message
            reply = {"id": request["id"], "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
