"""Browser tests: the real app on a real port, driven through system Chromium."""
