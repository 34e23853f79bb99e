"""The audit trail: the hash-chained history of every case, the read log, verification and replay.

See docs/audit.md.
"""
