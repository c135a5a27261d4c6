"""The blog post: rendered from the executed notebooks, checked against them and in a browser.

``make blog`` runs ``execute`` (papermill, with the parameters of a profile in
``configuration/profiles/``: ``full`` for the published post, ``ci`` and ``quick`` shorter), then
``render``. Notebooks are committed without outputs (Edit > Clear Outputs of All Cells); the
rendered post and ``images/`` are committed, and ``make test`` fails when the post no longer shows
every markdown cell and every visible code cell of the notebooks (``sync``). After editing a
notebook, run ``make blog`` and commit ``blog_post/`` and ``images/`` with it.
"""
