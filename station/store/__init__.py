"""The evidence store: a workspace folder with the SQLite database and the ballot images.

Nothing here is ever updated in place: images are written once and named by their hash,
readings and decisions are new rows, and every action is a link in a hash chain.
"""
