"""The words both interfaces (the bot, the staff pages) and the JSON API show staff: status and
action labels, refusals and the order history, one table per language.

It imports only the domain (`orders`, `render`), never `bot/`, `staff_web/` or `chotdon/`, so
each interface can use it without importing another.
"""
