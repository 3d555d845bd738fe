"""Settings of the Django twin; conformance/gotwin/settings_*.toml are the same.

TWIN_MODE chooses how pages are cached:
  view: no cache middleware; the views are wrapped in cache_page (twin/urls.py).
  site: the per-site pair UpdateCacheMiddleware ... FetchFromCacheMiddleware.
"""
import os

TWIN_MODE = os.environ.get("TWIN_MODE", "view")
if TWIN_MODE not in ("view", "site"):
    raise RuntimeError("TWIN_MODE must be 'view' or 'site', not %r" % TWIN_MODE)

DEBUG = False
SECRET_KEY = "conformance-twin-not-secret"
ALLOWED_HOSTS = [".example.com", "testserver", "localhost", "127.0.0.1"]
USE_I18N = False
USE_TZ = False
ROOT_URLCONF = "twin.urls"
INSTALLED_APPS = []
DATABASES = {}
TEMPLATES = []

CACHES = {
    # The default store is the one GET /_keys/ lists (LOCATION "").
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 100000},
    },
    # cache_page(..., cache="other") (rule 84).
    "other": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "other",
        "OPTIONS": {"MAX_ENTRIES": 100000},
    },
}
CACHE_MIDDLEWARE_ALIAS = "default"
CACHE_MIDDLEWARE_SECONDS = 600
CACHE_MIDDLEWARE_KEY_PREFIX = ""

MIDDLEWARE = []
if TWIN_MODE == "site":
    MIDDLEWARE = [
        "django.middleware.cache.UpdateCacheMiddleware",
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]

# Keep runserver's access log to warnings and errors (4xx, 5xx): the Go
# runner shows the tail of stderr when something fails.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.server": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "django": {"handlers": ["stderr"], "level": "WARNING"},
    },
}
