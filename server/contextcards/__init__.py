"""Context Cards: a local server that links names and policy terms in what you read to short background cards."""

__version__ = "0.1.0"


def create_app(config=None):
    """Build the Flask app (imported lazily so `import contextcards` stays cheap)."""
    from .app import create_app as _create_app

    return _create_app(config)
