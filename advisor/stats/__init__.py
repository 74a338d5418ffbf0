"""Consented, anonymised statistics: snapshots, published tables, peer comparison, exports."""
