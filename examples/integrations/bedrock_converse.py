"""An Amazon Bedrock Converse call through boto3 recorded in a session, with its cost.

Run: python examples/integrations/bedrock_converse.py   (pip install 'agentops-otel[bedrock]' boto3)
With AWS credentials in the environment (AWS_ACCESS_KEY_ID) it calls Bedrock in AWS_REGION (default
us-east-1); without them, ``endpoint_url`` is the repository's local test server
(tests/support/llm_server), so it runs on a fresh machine. ``agentops.init()`` turns on the official
OpenTelemetry GenAI Bedrock instrumentation; no other call is needed.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
import boto3
from _local_server import start_local_server

import agentops_otel as agentops

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


def client(stack: ExitStack) -> Any:
    """A real client if there are credentials, else one pointed at the local test server."""
    region = os.environ.get("AWS_REGION", "us-east-1")
    if os.environ.get("AWS_ACCESS_KEY_ID"):
        return boto3.client("bedrock-runtime", region_name=region)
    server = start_local_server(stack)
    return boto3.client(
        "bedrock-runtime",
        region_name=region,
        endpoint_url=server.base_url,
        aws_access_key_id="local-test-server",
        aws_secret_access_key="local-test-server",
    )


def main() -> None:
    with ExitStack() as stack:
        bedrock = client(stack)
        session = agentops.init(default_tags=["example", "bedrock"])
        assert session is not None
        reply = bedrock.converse(modelId=MODEL, messages=[{"role": "user", "content": [{"text": "Say hello"}]}])
        print("reply:", reply["output"]["message"]["content"][0]["text"])
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
