"""The model contract (``servable``) and structured logging of every prediction a model makes."""
