"""The Gradio chat (``ui.chat.build_ui``), mounted at ``/`` by ``bot.api.create_app``."""
