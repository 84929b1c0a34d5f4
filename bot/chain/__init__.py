"""chain: question → understanding → retrieval → ranking → answer (LangChain runnables)."""
