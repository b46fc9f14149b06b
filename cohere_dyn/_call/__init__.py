"""The call path: turning keyword arguments into a validated request, sending it with retries, decoding the answer."""
