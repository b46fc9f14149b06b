"""What code written for the official SDK expects beyond the API: its module paths and its models' pydantic methods."""
