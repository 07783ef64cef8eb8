"""Khối dân vận cơ sở: one bloc per commune, its roster with history, criteria and yearly ratings."""
