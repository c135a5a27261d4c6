"""The blog post: rendered from the executed notebooks, checked against them and in a browser."""
