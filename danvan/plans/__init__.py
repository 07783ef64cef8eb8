"""Plans and reports filed through the approval workflow, and approval delegations.

Modules: models (tables), documents (document service; registers the "document" kind of call),
views (blueprint). Calls for submissions live in danvan/calls.
"""
