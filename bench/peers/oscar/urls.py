"""The peer's URLs: django-oscar-api under /api/ (all the benchmark's client calls)."""

from django.urls import include, path

urlpatterns = [path("api/", include("oscarapi.urls"))]
