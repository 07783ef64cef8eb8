"""Công việc của tôi: the pages of background jobs (records and queue live in core/jobs.py)."""
