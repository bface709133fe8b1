"""Readers' alert pages, inside the language prefix (/en/alerts/…, /ru/alerts/…).

``confirm``, ``manage`` and ``unsubscribe`` take the signed token made by subscriptions.links (the e-mails'
links); ``manage-add`` is the manage page with one asked-for topic ticked (the message to an address that
already receives alerts and was entered again)."""

from django.urls import path

from . import views

app_name = "subscriptions"

urlpatterns = [
    path("", views.SubscribeView.as_view(), name="subscribe"),
    path("confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path("manage/<str:token>/", views.ManageView.as_view(), name="manage"),
    path("manage/<str:token>/add/<path:target>", views.ManageView.as_view(), name="manage-add"),
    path("manage/<str:token>/leave/", views.LeaveView.as_view(), name="leave"),
    path("manage/<str:token>/erase/", views.EraseView.as_view(), name="erase"),
    path("manage/<str:token>/data.json", views.DataView.as_view(), name="data"),
    path("unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
]
