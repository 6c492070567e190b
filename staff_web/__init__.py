"""The staff web pages: server-rendered HTML (aiohttp + Jinja2, little JavaScript, mobile
first), for a desktop browser and as a Telegram Mini App. Orders change through the same
`OrderService` as the bot and the API."""
