"""The portal's URLs plus two views that fail, for the error-page tests (test_request_log)."""

from __future__ import annotations

from django.db import OperationalError
from django.urls import path

from adminui.urls import handler403, handler500
from adminui.urls import urlpatterns as portal_urls

__all__ = ["handler403", "handler500", "urlpatterns"]


def crash(request):
    raise ZeroDivisionError("a bug")


def database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("crash/", crash),
    path("database-gone/", database_gone),
    *portal_urls,
]
