"""Serving: REST, OpenAI-compatible chat, MCP tools and the Gradio chat, over the Bot facade.

``app.create_app`` mounts them all; each surface module calls only ``bot.core.Bot``.
"""
