"""Streams: line, SSE and NDJSON decoders, the sync and async Stream objects, and folding events into a final answer."""
