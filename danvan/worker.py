"""For `huey_consumer danvan.worker.huey`: this app's queue, configured from the environment.
(`flask worker` does the same without this module.)"""
from danvan import create_app
from danvan.core.jobs import huey

app = create_app()

__all__ = ["app", "huey"]
