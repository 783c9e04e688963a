"""The assistant: a chat that answers from the network's own content (issue 10)."""
