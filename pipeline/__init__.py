"""ceasefire-claims: turn ceasefire-negotiation news into typed tables.

The package root only carries the version and the names other modules share,
so that importing it (which spaCy does for every registered factory) stays cheap
and free of side effects.
"""

__version__ = "0.1.0"

#: Name of the built spaCy pipeline directory under ``models/``.
MODEL_NAME = "ceasefire_claims"

__all__ = ["MODEL_NAME", "__version__"]
