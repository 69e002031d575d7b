"""Running the portal in production: health endpoints, request logs, the worker's heartbeat,
and riding out a database or Redis outage (README, "Production")."""
