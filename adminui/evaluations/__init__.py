"""Evaluations and their AI summaries: /<environment>/evaluations/."""
