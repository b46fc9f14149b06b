"""Embedding at scale: embed_stream (sync and async), corpus files in and out, and the way
through Cohere's own datasets and embed jobs. Loaded only when one of them is used."""
