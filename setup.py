"""Build hook: compile the per-token rule modules of ``pipeline`` to C with mypyc.

The rule code runs once per token and mention (dict look-ups, small helpers,
record construction), so its cost is the interpreter's per-call overhead, not
any one hot spot. mypyc compiles these type-annotated modules unchanged into C
extensions (one shared library, ``pipeline/compiled__mypyc*.so``, plus one small
module per source file beside it). ``CEASEFIRE_PURE_PYTHON=1`` at install time
skips the compilation and installs plain Python; the behaviour is the same.
Everything else about the package is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import os

from setuptools import Extension, setup

#: The modules compiled; the Makefile reads this list (one quoted path a line).
COMPILED = [
    "pipeline/actors.py",
    "pipeline/attribution.py",
    "pipeline/claims.py",
    "pipeline/date_resolver.py",
    "pipeline/dates.py",
    "pipeline/lemmas.py",
    "pipeline/matchwindows.py",
    "pipeline/numbers.py",
    "pipeline/people.py",
    "pipeline/roles.py",
    "pipeline/sentences.py",
    "pipeline/sources.py",
    "pipeline/tokens.py",
]


def pure_python() -> bool:
    """Return True when the user asked for an uncompiled install."""
    return os.environ.get("CEASEFIRE_PURE_PYTHON", "") not in ("", "0")


def extensions() -> list[Extension]:
    if pure_python():
        return []
    from mypyc.build import mypycify

    return mypycify(COMPILED, opt_level="3", group_name="pipeline.compiled")


setup(ext_modules=extensions())
