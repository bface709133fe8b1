"""Read queries: what the public may see, what a list or a screen shows, what the trash holds.

Selectors return querysets or plain data, never HTML, and write nothing. Queryset verbs that belong to one
model (``Event.objects.public()``, ``due()``, ``in_section()``) stay on the model; a selector combines them.
"""
