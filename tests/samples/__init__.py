"""Sample objects for the route × role matrix, one module per feature.

Each module defines SAMPLES: {url argument name: make(world) -> (own_id, other_id)}, where
`own_id` is an object inside the matrix user's scope (commune C1 under district D1) and
`other_id` one outside it (commune C3 under district D2). A route whose argument has no
sample fails the matrix test loudly, so new routes are covered as soon as they exist.

A module may also define FORMS: {endpoint: make(world, url_ids) -> form fields} for a write that
needs more than its CSRF token to reach its own checks (e.g. which attachment to remove).
"""
from __future__ import annotations

import importlib
import pkgutil


def all_samples() -> dict:
    samples: dict = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        samples.update(module.SAMPLES)
    return samples


def all_forms() -> dict:
    forms: dict = {}
    for info in pkgutil.iter_modules(__path__):
        forms.update(getattr(importlib.import_module(f"{__name__}.{info.name}"), "FORMS", {}))
    return forms


def get_urls(app, world) -> list[str]:
    """Every GET route (static excepted) built with the sample ids inside the matrix user's scope."""
    from flask import url_for

    samples, ids, urls = all_samples(), {}, []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for arg in rule.arguments:
            ids.setdefault(arg, samples[arg](world)[0])
        with app.test_request_context():
            urls.append(url_for(rule.endpoint, **{a: ids[a] for a in rule.arguments}))
    return urls
