"""The blog post: rendered from the executed notebooks, checked against them and in a browser.

The post is a main post and its companion pages (``pages``), each rendered from its own
notebooks. ``make blog`` runs ``execute`` (papermill, with the parameters of a profile in
``configuration/profiles/``: ``full`` for the published pages, ``ci`` and ``quick`` shorter),
then ``render``, which prints each page's reading time against its limit. Notebooks are committed
without outputs (Edit > Clear Outputs of All Cells); the rendered pages and ``images/`` are
committed, and ``make test`` fails when a page no longer shows every markdown cell and every
visible code cell of its notebooks (``sync``). After editing a notebook, run ``make blog`` and
commit ``blog_post/`` and ``images/`` with it.
"""
