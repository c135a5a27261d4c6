"""The insurance-charges model as the service hosts it, with nothing of training in it.

- ``model``: ``InsuranceChargesModel``, a ``model_contract`` ``Model``; it loads the artifact in
  ``models/``, or the file ``INSURANCE_CHARGES_MODEL_PATH`` names;
- ``schemas``: the input and output schemas, with the bounds and examples the API publishes;
- ``artifact``: the serving artifact and ``metrics.json``, refused when its sha256 differs from
  the one training recorded;
- ``serving``: the serving artifact's format, and the prediction from its arrays with numpy.

Training, which needs pandas and scikit-learn, is ``insurance_charges_training``, in the harness:
it compiles the fitted pipeline into the serving artifact and holds the two equal.
"""
