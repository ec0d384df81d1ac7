"""MCP tool servers: per-request tool definitions with resolved credentials."""
