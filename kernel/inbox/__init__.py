"""The durable inbox: a platform's delivery is committed before it is answered 2xx
(`writer`, or a SQLite landing file of its own), and the processor applies it later, once,
through the handlers the composition root registers per source."""
