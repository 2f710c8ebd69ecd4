"""The result cache: a pair whose inputs were built before gets that build's packages and log
without a container (key.py says what the inputs are, store.py where results are kept)."""
