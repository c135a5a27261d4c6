"""The insurance-charges model as the service hosts it, with nothing of training in it.

- ``model``: ``InsuranceChargesModel``, a ``model_contract`` ``Model``; it loads the artifact in
  ``models/``, or the file ``INSURANCE_CHARGES_MODEL_PATH`` names;
- ``schemas``: the input and output schemas, with the bounds and examples the API publishes;
- ``artifact``: the skops artifact, refused when its sha256 differs from the one training recorded
  or when it asks for a type outside the allowlist;
- ``fast_path``: the prediction in numpy, held by the tests to the pipeline's own on every row.

Training, which needs pandas, is ``insurance_charges_training``, in the harness.
"""
