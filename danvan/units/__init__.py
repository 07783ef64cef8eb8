"""Administration of the organisation tree: create, rename, move, close, merge."""
