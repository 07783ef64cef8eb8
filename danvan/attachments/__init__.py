"""Downloading stored attachments, within the user's scope."""
