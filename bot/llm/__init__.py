"""The OpenAI-compatible LLM: a retrying, concurrency-limited client and usage reports."""
