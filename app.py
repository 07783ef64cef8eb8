"""Entry point: `flask --app app run`."""
from danvan import create_app

app = create_app()
