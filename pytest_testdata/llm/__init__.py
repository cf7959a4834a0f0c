"""LLM providers behind one interface, prompt templates and structured output.

Nothing here imports a provider SDK at module load: :mod:`anthropic`, :mod:`httpx` and :mod:`llama_cpp`
are imported by the provider that needs them, when it is built.
"""
