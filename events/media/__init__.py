"""Photos and documents: checking uploads by content, cleaning photos, renditions, downloads, file clean-up.

Nothing in this package runs during a public page request except building URLs and streaming stored files;
decoding and encoding images happens when staff upload (or when ``regenerate_renditions`` runs).
"""
