"""Pages of issued records: the stored PDF/DOCX of a number, its signed copy, its replacement."""
