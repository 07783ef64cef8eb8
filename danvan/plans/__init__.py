"""Plans and reports filed through the approval workflow; calls for submissions with deadlines.

Modules: models (tables), documents (document service), calls (call/submission/tracking
service reused by other features), reminders (deadline notifications), views (blueprint).
"""
