"""The order domain: lifecycle, stock, COD and persistence, free of web and chat frameworks.

Adapters (the JSON API, the Telegram bot, webhook processors) call the use cases here; nothing
here knows which adapter called.
"""
