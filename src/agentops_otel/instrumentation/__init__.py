"""Instrumentors that record LLM client calls as GenAI spans inside the right session.

``openai.OpenAIInstrumentor`` and ``anthropic.AnthropicInstrumentor`` share everything but
their extractors and stream accumulators: ``genai`` (the call's span, attributes, cost),
``wrappers`` (session resolution around each call), ``streams`` (stream proxies),
``metrics``, ``duplicates`` (one span per call) and ``base`` (wrapping and unwrapping).
"""
