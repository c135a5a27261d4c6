"""Drift read from the prediction logs, against the distributions a model was trained on.

Training writes a *baseline* (``baseline.py``): for each input feature and the prediction, its
reference distribution. The monitor reads the service's JSON log lines (``records.py``), and for
each feature compares what was logged with the baseline (``statistics.py``): the population
stability index (PSI) says how far the distribution moved, a chi-square goodness-of-fit test
whether the move could be chance. A feature drifts when both say so, with the thresholds of
``configuration/drift.yaml`` (``thresholds.py``). ``report.py`` puts it together, and
``python -m drift_monitor`` runs it on a log file, as `make drift` and a CronJob do.

It knows nothing of insurance: the baseline names the model, its features and their kinds.

Why no drift framework: Evidently, NannyML or alibi-detect would each bring dozens of packages
into the image for two statistics. Resolved by pip for Python 3.11, Evidently needs about 55
packages the image lacks (pandas, pyarrow, plotly, statsmodels and nltk among them), NannyML
about 75 (matplotlib, lightgbm, xgboost, cloud storage clients) and alibi-detect about 35
(transformers, numba, opencv, scikit-image), hundreds of megabytes in an image that deliberately
has no pandas. What we need is a PSI over fixed bins (a few lines of numpy) and a chi-square
test's p-value (``chi_square.py``, a closed form with the standard library's ``math``, held to
scipy's by the tests), so the image needs not even scipy.
"""
