"""Captures conversation fixtures from real autologged traces, for the normaliser's tests
(test/unit/conversation.test.ts) and the panel's (test/vscode/10-conversations.test.ts).

Usage (in its own virtual environment, not the project's pinned one; see
requirements-capture.txt beside this file):

    python -m venv /tmp/capture && /tmp/capture/bin/pip install -r python/requirements-capture.txt
    /tmp/capture/bin/pip install --no-deps mlflow==3.18.0   # the version python/requirements.txt pins
    /tmp/capture/bin/python python/capture_chat_fixtures.py

Each framework runs under MLflow's own autologging with no network: LangChain and LangGraph with
fake chat models; OpenAI and Anthropic's SDKs against a small HTTP server on loopback that answers
as their APIs do. Each trace is read back with mlflow.get_trace and written to
test/fixtures/conversations/<name>.json: per span, its name, type, inputs, outputs and
attributes exactly as MLflow recorded them (only the spans the tests need, and no ids or times
that change from run to run).
"""

import json
import os
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "conversations")
os.environ.setdefault("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")
os.environ["MLFLOW_TRACKING_URI"] = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "capture.db")

import mlflow  # noqa: E402

# Attributes that change on every run, or that say nothing about the conversation.
VOLATILE = {"mlflow.traceRequestId", "mlflow.spanFunctionName"}


def dump(name, trace_id, keep, note):
    """Writes the spans for which keep(span) is true, in the order MLflow started them."""
    trace = mlflow.get_trace(trace_id)
    spans = []
    for span in sorted(trace.data.spans, key=lambda s: s.start_time_ns):
        if not keep(span):
            continue
        attributes = {
            k: v
            for k, v in span.attributes.items()
            if k not in VOLATILE and k not in ("mlflow.spanInputs", "mlflow.spanOutputs")
        }
        spans.append(
            {
                "name": span.name,
                "span_type": span.span_type,
                "parent": next((p.name for p in trace.data.spans if p.span_id == span.parent_id), None),
                "inputs": span.inputs,
                "outputs": span.outputs,
                "attributes": attributes,
            }
        )
    fixture = {
        "captured_with": f"mlflow {mlflow.__version__} autologging; {note}",
        "trace": {"request": trace.data.request, "response": trace.data.response},
        "spans": spans,
    }
    path = os.path.join(OUT, f"{name}.json")
    with open(path, "w") as f:
        json.dump(fixture, f, indent=2, ensure_ascii=False, sort_keys=False)
        f.write("\n")
    print(f"wrote {os.path.relpath(path)} ({len(spans)} spans)")


def version(package):
    from importlib.metadata import version as v

    return f"{package} {v(package)}"


# --- LangChain and LangGraph, with fake chat models -------------------------------------------


def langchain_chain():
    from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    mlflow.langchain.autolog()
    prompt = ChatPromptTemplate.from_messages(
        [("system", "You are a terse assistant for {team}."), ("human", "{question}")]
    )
    model = FakeMessagesListChatModel(responses=[AIMessage(content="Use `git bisect`.")])
    chain = prompt | model | StrOutputParser()
    chain.invoke({"team": "release engineering", "question": "How do I find the bad commit?"})
    dump(
        "langchain-chain",
        mlflow.get_last_active_trace_id(),
        lambda s: True,
        f"{version('langchain-core')}: ChatPromptTemplate | FakeMessagesListChatModel | StrOutputParser",
    )


def langgraph_agent():
    from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.tools import tool
    from langgraph.prebuilt import create_react_agent

    class ToolCallingFake(FakeMessagesListChatModel):
        """Answers with the listed messages in turn; tools bound are ignored (it is scripted)."""

        def bind_tools(self, tools, **kwargs):
            return self

    @tool
    def get_weather(city: str) -> str:
        """The current weather in a city."""
        return f"It is 21 °C and sunny in {city}."

    @tool
    def get_time(city: str, utc_offset: int = 0) -> str:
        """The local time in a city."""
        return "14:05"

    mlflow.langchain.autolog()
    model = ToolCallingFake(
        responses=[
            AIMessage(
                content="",
                tool_calls=[
                    {"name": "get_weather", "args": {"city": "Lisbon"}, "id": "call_Wx9LpQ2"},
                    {"name": "get_time", "args": {"city": "Lisbon", "utc_offset": 1}, "id": "toolu_01AbC"},
                ],
            ),
            AIMessage(content="In Lisbon it is 14:05, 21 °C and sunny."),
        ]
    )
    agent = create_react_agent(model, [get_weather, get_time])
    agent.invoke({"messages": [{"role": "user", "content": "What's the weather and time in Lisbon?"}]})
    dump(
        "langgraph-agent",
        mlflow.get_last_active_trace_id(),
        lambda s: s.parent_id is None or s.span_type in ("CHAT_MODEL", "TOOL", "LLM"),
        f"{version('langgraph')}, {version('langchain-core')}: create_react_agent over a fake chat "
        "model that calls two tools",
    )


def langchain_retriever():
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    class Docs(BaseRetriever):
        def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun):
            return [
                Document(
                    page_content="git bisect finds the commit that introduced a bug by binary search.",
                    metadata={"source": "https://git-scm.com/docs/git-bisect", "score": 0.92},
                    id="doc-1",
                ),
                Document(
                    page_content="git blame shows who last changed each line.",
                    metadata={"source": "docs/blame.md", "score": 0.41, "section": "History"},
                ),
            ]

    mlflow.langchain.autolog()
    Docs().invoke("find the bad commit")
    dump(
        "langchain-retriever",
        mlflow.get_last_active_trace_id(),
        lambda s: True,
        f"{version('langchain-core')}: a BaseRetriever returning two Documents",
    )


# --- OpenAI and Anthropic, against a loopback server that answers as their APIs do ---------------


class FakeApi(BaseHTTPRequestHandler):
    """Answers POST /v1/chat/completions, /v1/responses and /v1/messages: the first turn with
    tool calls, the turn after a tool result with text."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        answer = {
            "/v1/chat/completions": chat_completion,
            "/v1/responses": response,
            "/v1/messages": anthropic_message,
        }[self.path](body)
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def chat_completion(body):
    after_tool = body["messages"][-1]["role"] == "tool"
    message = (
        {"role": "assistant", "content": "It is 21 °C and sunny in Lisbon.", "refusal": None}
        if after_tool
        else {
            "role": "assistant",
            "content": None,
            "refusal": None,
            "tool_calls": [
                {
                    "id": "call_Wx9LpQ2",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Lisbon"}'},
                }
            ],
        }
    )
    return {
        "id": "chatcmpl-fake1",
        "object": "chat.completion",
        "created": 1767225600,
        "model": body["model"],
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": "stop" if after_tool else "tool_calls"}
        ],
        "usage": {"prompt_tokens": 52, "completion_tokens": 12, "total_tokens": 64},
    }


def response(body):
    after_tool = any(isinstance(i, dict) and i.get("type") == "function_call_output" for i in body["input"])
    output = (
        [
            {
                "type": "message",
                "id": "msg_fake2",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "It is 21 °C and sunny in Lisbon.", "annotations": []}],
            }
        ]
        if after_tool
        else [
            {
                "type": "function_call",
                "id": "fc_fake1",
                "call_id": "call_Rs7TqZ1",
                "name": "get_weather",
                "arguments": '{"city":"Lisbon"}',
                "status": "completed",
            }
        ]
    )
    return {
        "id": "resp_fake",
        "object": "response",
        "created_at": 1767225600,
        "status": "completed",
        "model": body["model"],
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": body.get("tools", []),
        "temperature": body.get("temperature", 1.0),
        "top_p": 1.0,
        "usage": {"input_tokens": 40, "output_tokens": 9, "total_tokens": 49},
    }


def anthropic_message(body):
    last = body["messages"][-1]
    after_tool = isinstance(last["content"], list) and any(b.get("type") == "tool_result" for b in last["content"])
    content = (
        [{"type": "text", "text": "It is 21 °C and sunny in Lisbon."}]
        if after_tool
        else [
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": "toolu_01AbC", "name": "get_weather", "input": {"city": "Lisbon"}},
        ]
    )
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": content,
        "stop_reason": "end_turn" if after_tool else "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 61, "output_tokens": 14},
    }


WEATHER_TOOL = {
    "name": "get_weather",
    "description": "The current weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def openai_chat(base_url):
    import openai

    mlflow.openai.autolog()
    client = openai.OpenAI(base_url=base_url + "/v1", api_key="not-a-key")
    tools = [{"type": "function", "function": WEATHER_TOOL}]
    messages = [
        {"role": "system", "content": "Answer with the tool's facts."},
        {"role": "user", "content": "What's the weather in Lisbon?"},
    ]
    first = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=tools, temperature=0.2)
    call = first.choices[0].message.tool_calls[0]
    messages += [
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "21 °C, sunny"},
    ]
    client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=tools, temperature=0.2)
    dump(
        "openai-chat",
        mlflow.get_last_active_trace_id(),
        lambda s: True,
        f"{version('openai')}: chat.completions.create after a tool call, against a loopback "
        "server answering as the API does",
    )
    first_id = mlflow.search_traces(return_type="list", max_results=2, order_by=["timestamp_ms DESC"])[1].info.trace_id
    dump(
        "openai-chat-tool-call",
        first_id,
        lambda s: True,
        f"{version('openai')}: chat.completions.create answered with a tool call",
    )


def openai_responses(base_url):
    import openai

    mlflow.openai.autolog()
    client = openai.OpenAI(base_url=base_url + "/v1", api_key="not-a-key")
    tools = [{"type": "function", **WEATHER_TOOL}]
    first = client.responses.create(
        model="gpt-4.1-mini", instructions="Answer with the tool's facts.", input="What's the weather in Lisbon?", tools=tools
    )
    call = first.output[0]
    client.responses.create(
        model="gpt-4.1-mini",
        input=[
            {"role": "user", "content": "What's the weather in Lisbon?"},
            {"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments},
            {"type": "function_call_output", "call_id": call.call_id, "output": "21 °C, sunny"},
        ],
        tools=tools,
    )
    dump(
        "openai-responses",
        mlflow.get_last_active_trace_id(),
        lambda s: True,
        f"{version('openai')}: responses.create with a function_call_output, against a loopback "
        "server answering as the API does",
    )


def anthropic_messages(base_url):
    import anthropic

    mlflow.anthropic.autolog()
    client = anthropic.Anthropic(base_url=base_url, api_key="not-a-key")
    tools = [{"name": WEATHER_TOOL["name"], "description": WEATHER_TOOL["description"], "input_schema": WEATHER_TOOL["parameters"]}]
    messages = [{"role": "user", "content": "What's the weather in Lisbon?"}]
    first = client.messages.create(
        model="claude-sonnet-4-5", max_tokens=256, system="Answer with the tool's facts.", messages=messages, tools=tools
    )
    use = next(b for b in first.content if b.type == "tool_use")
    messages += [
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "21 °C, sunny"}]},
    ]
    client.messages.create(
        model="claude-sonnet-4-5", max_tokens=256, system="Answer with the tool's facts.", messages=messages, tools=tools
    )
    dump(
        "anthropic",
        mlflow.get_last_active_trace_id(),
        lambda s: True,
        f"{version('anthropic')}: messages.create after a tool_use, against a loopback server "
        "answering as the API does",
    )


def langchain_openai(base_url):
    from langchain_core.tools import tool
    from langchain_openai import ChatOpenAI

    @tool
    def get_weather(city: str) -> str:
        """The current weather in a city."""
        return "21 °C, sunny"

    mlflow.langchain.autolog()
    model = ChatOpenAI(model="gpt-4o-mini", base_url=base_url + "/v1", api_key="not-a-key", temperature=0)
    model.bind_tools([get_weather]).invoke("What's the weather in Lisbon?")
    dump(
        "langchain-openai-tools",
        mlflow.get_last_active_trace_id(),
        lambda s: True,
        f"{version('langchain-openai')}: ChatOpenAI.bind_tools(...).invoke answered with a tool "
        "call, against a loopback server answering as the API does",
    )


def main():
    os.makedirs(OUT, exist_ok=True)
    mlflow.set_experiment("conversation fixtures")
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for capture in (langchain_chain, langgraph_agent, langchain_retriever):
            capture()
        openai_chat(base_url)
        openai_responses(base_url)
        anthropic_messages(base_url)
        langchain_openai(base_url)
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
