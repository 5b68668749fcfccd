"""The loader as an HTTP service (``attune-loader serve``): packs go in as archives
or server-side directories, the CLI's JSON report comes back; one connection pool
for every request. See docs/service.md.

Starlette on uvicorn: the ASGI toolkit without a model layer (the request bodies are
archives and the responses are the loader's own versioned report, so a validation
framework would only restate both), and the server with a bounded graceful shutdown.
"""
