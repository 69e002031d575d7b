"""The Overview of one environment: /<environment>/."""
