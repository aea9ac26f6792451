"""Local stand-ins for the external platforms Mixora calls (Meta, X, TikTok, Google/YouTube).

See docs/emulator.md for the contract; `python -m emulator --port 8100` runs it.
"""
