"""The audit log page for administrators."""
