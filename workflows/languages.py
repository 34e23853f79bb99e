"""The languages Gwarchod serves: English, the source of every text, and Welsh."""

LANGUAGES = ("en", "cy")
