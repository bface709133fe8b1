"""Readers' alert pages, inside the language prefix (/en/alerts/…, /ru/alerts/…)."""

from django.urls import path  # noqa: F401 - routes are added with their views

app_name = "subscriptions"

urlpatterns: list = []
