"""Deployment: gunicorn and HAProxy configuration, and the local production stack."""
