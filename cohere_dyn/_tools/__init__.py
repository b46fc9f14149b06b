"""Developer tools behind the command line: the CLI itself, the demo, lint, diff and stub generation."""
