"""The model contract: what a model author writes, what the service calls, and what sits between.

- ``servable``: ``Model`` (what an author writes), ``ServableModel`` (what the service calls), the
  inline and threaded adapters between them, and ``ModelDecorator``, the base of every decorator;
- ``context``: the request's prediction id, which travels with the call to every decorator;
- ``batching``: micro-batching, a decorator that merges concurrent predictions into one call.

It imports no other package of the project: every other layer builds on it.
"""
