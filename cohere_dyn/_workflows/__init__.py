"""Beyond one request: embed batching, pagination and waiting on jobs, each driven by spec extensions."""
