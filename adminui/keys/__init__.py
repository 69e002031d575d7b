"""LLM provider keys: /<environment>/keys/ and /<environment>/models/."""
