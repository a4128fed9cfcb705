"""Context Cards: a local server that links names and policy terms in what you read to short background cards."""

__version__ = "0.1.0"
