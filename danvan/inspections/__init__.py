"""Inspections: plans, visits, QCDC checklists, conclusions, recommendations."""
