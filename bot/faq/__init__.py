"""The staff-maintained FAQ: entries with their versions, retrieval (jieba words + character
bigrams scored with BM25), the per-process index kept fresh through a Redis version counter,
CSV/XLSX import and export, and the questions the bot could not answer."""
