"""Plan-export intake: input formats, their JSON Schema, and readers that report bad rows."""
