"""A small traced app for the code-links tests (issue 21): a decorated function with a span name,
a method, a `start_span` block, a function decorated through `from mlflow import trace as ...`,
and an async function. Run it to make one trace of each entry:

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python code_links_app.py EXPERIMENT [QUESTION]

It prints one JSON line: the ids of the traces it made.
"""

import asyncio
import json
import sys

import mlflow
from mlflow import trace as traced


class Retriever:
    @mlflow.trace(span_type="RETRIEVER")
    def fetch(self, query: str) -> list:
        return [f"a document about {query}"]


@traced
def compose(docs: list) -> str:
    return " ".join(docs)


@mlflow.trace(name="answer_question", span_type="CHAIN")
def answer(question: str) -> str:
    with mlflow.start_span(name="lookup") as span:
        span.set_inputs({"question": question})
        docs = Retriever().fetch(question)
        span.set_outputs({"count": len(docs)})
    return compose(docs)


@mlflow.trace
async def summarize(text: str) -> str:
    return text[:20]


def main() -> None:
    mlflow.set_experiment(sys.argv[1] if len(sys.argv) > 1 else "code-links")
    answer(" ".join(sys.argv[2:]) or "the weather")
    first = mlflow.get_last_active_trace_id()
    asyncio.run(summarize("a long text to summarize"))
    second = mlflow.get_last_active_trace_id()
    print(json.dumps({"trace_ids": [first, second]}))


if __name__ == "__main__":
    main()
