"""The outbox: a side effect is written in the transaction of the change that caused it
(`jobs`), and delivered after the commit by the worker, with retries and a parking place for
what keeps failing (`worker`)."""
