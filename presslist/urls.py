"""The journalists' personal links, inside the language prefix (/en/press/<token>/, /ru/press/<token>/)."""

from django.urls import path

from .views import open_link

app_name = "presslist"

urlpatterns = [path("<str:token>/", open_link, name="open")]
