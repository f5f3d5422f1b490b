"""The seed's REST API example: many sessions at once, one per conversation (multi-session mode).

    POST /sessions                {"tags": [...]}                 -> {"session_id": ...}
    POST /sessions/{id}/chat      {"message": "..."}              -> {"reply": ...}
    POST /sessions/{id}/end       {"end_state": "Success", ...}   -> {"end_state": ..., "cost_usd": ...}
    POST /ask                     {"question": "..."}             -> {"session_id": ..., "reply": ...}

`/sessions/...` keeps a session open across requests and binds each LLM call to it with
`session.patch`; `/ask` is the context style: one request, one `with agentops.start_session():`.

Run (with the local test server standing in for OpenAI; any OpenAI-compatible endpoint works):
    pip install -e '.[rest,openai]'
    python -m tests.support.llm_server --port 8081 &
    OPENAI_BASE_URL=http://127.0.0.1:8081/v1 OPENAI_API_KEY=test uvicorn examples.rest_api.app:app --port 8000
"""

from __future__ import annotations

import os

import openai
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

import agentops_otel as agentops

MODEL = os.environ.get("EXAMPLE_MODEL", "gpt-4o-mini")

agentops.init(auto_start_session=False, default_tags=["rest-api"])
llm = openai.OpenAI()  # OPENAI_API_KEY / OPENAI_BASE_URL from the environment
app = FastAPI(title="agentops-otel sessions example")


class StartRequest(BaseModel):
    tags: list[str] = []


class ChatRequest(BaseModel):
    message: str


class EndRequest(BaseModel):
    end_state: str
    end_state_reason: str | None = None


class AskRequest(BaseModel):
    question: str


def running_session(session_id: str) -> agentops.Session:
    session = agentops.get_session(session_id)
    if session is None:
        raise HTTPException(status_code=404, detail=f"No running session {session_id!r}.")
    return session


def complete(create: object, message: str) -> str:
    """One chat completion through `create` (a patched or plain `chat.completions.create`)."""
    response = create(model=MODEL, messages=[{"role": "user", "content": message}])  # type: ignore[operator]
    return str(response.choices[0].message.content)


@app.post("/sessions")
def start_session(request: StartRequest) -> dict[str, str]:
    try:
        session = agentops.start_session(tags=request.tags)
    except agentops.InvalidArgumentError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    return {"session_id": session.session_id}


@app.post("/sessions/{session_id}/chat")
def chat(session_id: str, request: ChatRequest) -> dict[str, str]:
    session = running_session(session_id)
    try:
        return {"reply": complete(session.patch(llm.chat.completions.create), request.message)}
    except openai.APIError as error:
        raise HTTPException(status_code=502, detail=f"LLM call failed: {error.message}") from error


@app.post("/sessions/{session_id}/end")
def end_session(session_id: str, request: EndRequest) -> dict[str, str | None]:
    session = running_session(session_id)
    try:
        cost = session.end_session(request.end_state, request.end_state_reason)
    except agentops.InvalidArgumentError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    return {"end_state": str(session.end_state), "cost_usd": None if cost is None else str(cost)}


@app.post("/ask")
def ask(request: AskRequest) -> dict[str, str]:
    try:
        with agentops.start_session(tags=["ask"]) as session:  # ends Fail if the block raises, else Success
            reply = complete(llm.chat.completions.create, request.question)  # joins the session in context
    except openai.APIError as error:
        raise HTTPException(status_code=502, detail=f"LLM call failed: {error.message}") from error
    return {"session_id": session.session_id, "reply": reply}
