"""``lihui demo``: the whole product in a browser, on the built-in Telegram sandbox.

Not part of the bot: a web page and the wiring that starts the sandbox, the real bot (as a
``lihui run`` process) and a sample office. ``runner.py`` starts and stops everything,
``cast.py`` names the people, ``web.py`` serves the page in ``static/``, ``steps.py`` moves
the clock, ``snapshot.py`` keeps the chats across restarts.
"""
