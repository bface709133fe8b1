from django.conf import settings


def site(request):
    return {"site_name": settings.CSO_SITE_NAME}
