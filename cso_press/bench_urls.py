"""URLs for the benchmark only: the site plus a constant page used as the 1.0 reference."""

from django.http import HttpResponse
from django.urls import path

from .urls import urlpatterns as site_urlpatterns

BARE_BODY = b"<!DOCTYPE html><html lang='en'><title>bare</title><p>" + b"x" * 512 + b"</p></html>"


def bare(request):
    return HttpResponse(BARE_BODY)


urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
