"""Training the insurance-charges model: the data, the candidates, the plots and summaries.

It needs pandas and matplotlib, which the image does not ship: the service loads the artifact
this package saves through ``insurance_charges_model``, which needs neither.
"""
