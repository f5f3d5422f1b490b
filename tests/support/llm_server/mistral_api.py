"""Mistral's chat API under ``/mistral`` (give the ``mistralai`` client ``server_url=base_url + "/mistral"``).

Mistral's path is OpenAI's (``/v1/chat/completions``) and its body nearly so, but it answers with
the model name as asked; the prefix keeps that apart from the OpenAI endpoint.
"""

from __future__ import annotations

from . import groq_api, openai_api
from .core import Endpoint

ENDPOINTS = {"/mistral/v1/chat/completions": Endpoint(openai_api.PROVIDER, groq_api.chat_json)}
