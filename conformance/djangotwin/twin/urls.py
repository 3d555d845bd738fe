"""URLs of the Django twin; conformance/gotwin/urls.go has the same routes.

View mode wraps the views in cache_page; site mode leaves them bare (the
per-site middleware caches them). /_keys/ is never cached (POST only).
"""
from django.conf import settings
from django.urls import path, re_path
from django.views.decorators.cache import cache_page

from . import views

if settings.TWIN_MODE == "view":
    # The cache_page variants behind /v/, picked by the X-Twin-Cache header.
    variants = {
        "600": cache_page(600)(views.param_view),
        "600-default": cache_page(600, cache="default")(views.param_view),
        "300": cache_page(300)(views.param_view),
        "600-pa": cache_page(600, key_prefix="a")(views.param_view),
        "300-pa": cache_page(300, key_prefix="a")(views.param_view),
        "600-pb": cache_page(600, key_prefix="b")(views.param_view),
        "600-other": cache_page(600, cache="other")(views.param_view),
        "5": cache_page(5)(views.param_view),
        "1": cache_page(1)(views.param_view),
        "1-other": cache_page(1, cache="other")(views.param_view),
        "0": cache_page(0)(views.param_view),
        "none": views.param_view,
    }
    v = views.dispatch(variants)
    # cache.PageMiddleware on a route group in the Go twin.
    mw = cache_page(600)(views.param_view)
    # A catch-all, for the URL part of the key (rule 101).
    anything = cache_page(600)(views.param_view)
else:
    v = mw = anything = views.param_view

urlpatterns = [
    path("v/", v),
    path("mw/v/", mw),
    re_path(r"^any/", anything),
    path("_keys/", views.keys),
]
