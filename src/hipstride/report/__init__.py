"""Presentation of analyses: JSON documents, the terminal summary and the HTML report."""
