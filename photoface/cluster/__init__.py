"""Grouping faces into people (issue #3): kNN graphs and average-linkage clustering, numpy only."""
