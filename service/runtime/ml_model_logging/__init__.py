"""Structured logging of every prediction a model makes: the decorator, its filters, its set-up."""
