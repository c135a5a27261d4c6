"""Render the executed notebooks into the blog post."""
