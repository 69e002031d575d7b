"""What every area shares: htmx rendering, the error boundary and its wording, roles, lists."""
