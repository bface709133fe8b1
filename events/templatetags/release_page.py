"""``{% release_article %}``: the release itself on its page, written by ``includes/release_article.html``.

Writing a release (its photos, documents, people, press contacts and "other events") through the template engine
was a third of its page's time. The public page of a release (``EventDetailView``) puts ``article_key`` in the
context: everything the article reads besides content (the way back); the written article is then kept per
content version (``page_cache.remembered_here``) under that key and the language, so any change to what it shows
writes it again. The preview and embargo pages give no key and write it every time.
"""

from __future__ import annotations

from django import template
from django.template.loader import get_template
from django.utils import translation

from ..page_cache import remembered_here

register = template.Library()


@register.simple_tag(takes_context=True)
def release_article(context) -> str:
    written = get_template("includes/release_article.html").template
    key = context.get("article_key")
    if not key:
        return written.render(context)
    return remembered_here("release-article", repr((translation.get_language(), key)), lambda: written.render(context))
