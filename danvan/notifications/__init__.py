"""In-app notifications: model, `service.notify(...)`, the bell, the list, mark read."""
