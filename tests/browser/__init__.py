"""Browser tests: the staff pages in real headless Chromium (Debian's `chromium`), driven by
Playwright for Python, against the service on a real socket on 127.0.0.1."""
