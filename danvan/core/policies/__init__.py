"""Object policies: the one place where "may this user do X to this object" is decided.

`access.can(user, "edit", doc)` dispatches here on the object's class name, so core needs no
import of a feature's models. Each domain keeps its rules in `core/policies/<domain>.py`:

    @rule("Document", "edit", "submit")
    def document_editable(user, doc) -> bool: ...

A rule answers role *and* scope *and* state for that object; views, services and templates all
ask `access.can()` (or `access.authorize()` in views), never restate the rule. An action with no
rule raises, so a misspelt name cannot silently allow or deny.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

Rule = Callable[[Any, Any], bool]

_RULES: dict[tuple[str, str], Rule] = {}


def rule(model: str, *actions: str) -> Callable[[Rule], Rule]:
    """Register `fn(user, obj) -> bool` for each action on objects of class `model`."""

    def register(fn: Rule) -> Rule:
        for action in actions:
            key = (model, action)
            if key in _RULES and _RULES[key] is not fn:
                raise RuntimeError(f"two policies for {model}.{action}")
            _RULES[key] = fn
        return fn

    return register


def lookup(model: str, action: str) -> Rule:
    _load()
    try:
        return _RULES[(model, action)]
    except KeyError:
        raise KeyError(f"no policy for {action!r} on {model}: add it to danvan/core/policies/") from None


_loaded = False


def _load() -> None:
    # Domain modules register on import; load them all once, lazily, so that importing core
    # never imports a feature (rules read attributes, not feature classes).
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True
