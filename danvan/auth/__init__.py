"""Logins, roles held by users, account pages and user administration."""
