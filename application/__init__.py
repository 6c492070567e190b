"""The application layer: the use cases and the reads, and the only code that opens a
transaction.

Order actions and edits (`services`), drafts from comments (`live_comments`, `live_events`),
carrier updates (`carrier_reports`), shipping jobs, the shop hand-off, quotes, printing, live
sessions, staff sign-in, and the words both interfaces show (`wording/`). It imports the kernel
and the domain only; the adapters (`webhooks`, `api`, `bot`, `staff_web`) call it, each through
the small dependencies object the composition root (`chotdon`) hands it.
"""
