"""Đề án 2023–2025 tracker: programmes, task groups, tasks, progress reports, roll-up."""
