from django.urls import path

from .editorial_views import EmbargoView

urlpatterns = [
    path("embargo/<str:token>/", EmbargoView.as_view(), name="embargo"),
]
