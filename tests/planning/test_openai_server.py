"""The local OpenAI-compatible server speaks the protocol the official client expects."""

from __future__ import annotations

import math

import openai
import pytest

from finrag.testing.openai_server import OpenAIServer

pytestmark = pytest.mark.integration


def test_embeddings_are_deterministic_unit_vectors(server: OpenAIServer) -> None:
    client = openai.OpenAI(api_key="sk-test", base_url=server.url, max_retries=0)
    first = client.embeddings.create(model="text-embedding-3-small", input=["net revenue", "eps"])
    again = client.embeddings.create(model="text-embedding-3-small", input="net revenue")
    assert len(first.data) == 2 and len(first.data[0].embedding) == server.embedding_dim
    assert first.data[0].embedding == again.data[0].embedding
    assert math.isclose(sum(x * x for x in first.data[1].embedding), 1.0, rel_tol=1e-9)
    assert first.usage.prompt_tokens > 0


def test_embedding_errors_can_be_scripted(server: OpenAIServer) -> None:
    server.embeddings_error(503, "busy")
    client = openai.OpenAI(api_key="sk-test", base_url=server.url, max_retries=0)
    with pytest.raises(openai.InternalServerError, match="busy"):
        client.embeddings.create(model="m", input="x")


def test_chat_reply_has_usage_and_an_empty_queue_is_a_400(server: OpenAIServer) -> None:
    client = openai.OpenAI(api_key="sk-test", base_url=server.url, max_retries=0)
    server.reply("hello", usage=(12, 3))
    response = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}]
    )
    assert response.choices[0].message.content == "hello"
    assert response.usage is not None and response.usage.total_tokens == 15
    with pytest.raises(openai.BadRequestError, match="no scripted response left"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert len(server.chat_requests) == 2
