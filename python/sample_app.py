"""A small LLM app traced with MLflow, the kind the extension's users write: an agent that calls
a tool, a retrieval app, a chat app, one that fails, and one whose output holds HTML and script.
The model is a stand-in so the app runs offline.

Run it to make a new trace:  MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python sample_app.py "question"
(`npm run demo` puts this file in the demo workspace and prints the command.)
"""

import json
import os
import sys

import mlflow
from mlflow.entities import SpanType

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


@mlflow.trace(span_type=SpanType.TOOL)
def get_weather(city: str) -> dict:
    return {"city": city, "temperature_c": 18, "conditions": "light rain"}


@mlflow.trace(span_type=SpanType.CHAT_MODEL)
def fake_llm(messages: list, tools: list | None = None) -> dict:
    last = messages[-1]
    if tools and last["role"] == "user":
        return {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": json.dumps({"city": "Paris"})},
                }
            ],
        }
    if last["role"] == "tool":
        return {"role": "assistant", "content": "It is 18°C with light rain in Paris. Take an umbrella."}
    return {"role": "assistant", "content": f"You said: {last['content']}"}


@mlflow.trace(span_type=SpanType.AGENT)
def weather_agent(question: str) -> str:
    messages = [
        {"role": "system", "content": "You are a helpful weather assistant."},
        {"role": "user", "content": question},
    ]
    reply = fake_llm(messages, tools=[WEATHER_TOOL])
    messages.append(reply)
    for call in reply.get("tool_calls", []):
        args = json.loads(call["function"]["arguments"])
        result = get_weather(**args)
        messages.append({"role": "tool", "tool_call_id": call["id"], "content": json.dumps(result)})
    final = fake_llm(messages)
    return final["content"]


@mlflow.trace(span_type=SpanType.RETRIEVER)
def retrieve(query: str) -> list:
    return [
        {"page_content": "MLflow Tracing records the inputs and outputs of each step.", "metadata": {"doc_uri": "docs/tracing.md", "chunk_id": "1"}},
        {"page_content": "Assessments attach feedback and expectations to traces.", "metadata": {"doc_uri": "docs/assessments.md", "chunk_id": "7"}},
    ]


@mlflow.trace(span_type=SpanType.CHAIN)
def rag_app(question: str) -> str:
    docs = retrieve(question)
    context = "\n".join(d["page_content"] for d in docs)
    reply = fake_llm([{"role": "system", "content": f"Context:\n{context}"}, {"role": "user", "content": question}])
    return reply["content"]


@mlflow.trace(span_type=SpanType.CHAT_MODEL)
def chat_app(messages: list) -> dict:
    return fake_llm(messages)


@mlflow.trace
def failing_app(question: str) -> str:
    with mlflow.start_span(name="parse_question", span_type=SpanType.PARSER) as span:
        span.set_inputs({"question": question})
        raise ValueError("could not parse the question: unexpected token '?'")


@mlflow.trace
def untrusted_output_app(question: str) -> str:
    return (
        "<script>alert('xss')</script><img src=x onerror=alert(1)>"
        "<a href=\"javascript:alert(2)\">click</a> **markdown** `code`"
    )


if __name__ == "__main__":
    os.environ.setdefault("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")
    mlflow.set_experiment("Sample apps")
    question = " ".join(sys.argv[1:]) or "What's the weather in Paris?"
    print(weather_agent(question))
    print(f"trace: {mlflow.get_last_active_trace_id()}")
