"""Render the template conformance set with real Django.

Reads one JSON document on stdin:

    {"dir": "testdata",
     "variants": {"chicago": {"USE_TZ": true, "TIME_ZONE": "America/Chicago"}, ...},
     "context": {...},
     "cases": [{"template": "escape.html", "variant": "chicago"}, ...]}

and prints a JSON list with one {"output": ...} or {"error": ...} per case,
in order. Context values are JSON, with three tagged forms:
{"$dt": "2006-01-02T15:04:05.000123+00:00", "tz": "America/Chicago"} is an
aware datetime (in tz when given), {"$safe": "<b>"} is mark_safe("<b>").
The URLconf mirrors the Go side's routes (see conformance_test.go).
"""

import json
import sys
import types
from datetime import datetime
from zoneinfo import ZoneInfo

import django
from django.conf import settings


def decode(v):
    if isinstance(v, list):
        return [decode(x) for x in v]
    if isinstance(v, dict):
        if "$dt" in v:
            d = datetime.fromisoformat(v["$dt"])
            if v.get("tz"):
                d = d.astimezone(ZoneInfo(v["tz"]))
            return d
        if "$safe" in v:
            from django.utils.safestring import mark_safe

            return mark_safe(v["$safe"])
        return {k: decode(x) for k, x in v.items()}
    return v


def view(request, *args, **kwargs):
    return None


def make_urlconf():
    from django.urls import include, path, re_path

    blog = types.ModuleType("conformance_blog_urls")
    blog.app_name = "blog"
    blog.urlpatterns = [
        path("", view, name="index"),
        path("<int:year>/<slug:slug>/", view, name="detail"),
    ]
    sys.modules[blog.__name__] = blog
    root = types.ModuleType("conformance_urls")
    root.urlpatterns = [
        path("", view, name="home"),
        path("articles/", view, name="article-list"),
        path("articles/<int:id>/", view, name="article-detail"),
        path("articles/<int:id>/edit/", view, name="article-edit"),
        path("search/<str:q>/", view, name="search"),
        path("blog/", include(blog.__name__)),
    ]
    sys.modules[root.__name__] = root


def main():
    req = json.load(sys.stdin)
    settings.configure(
        DEBUG=False,
        USE_TZ=True,
        TIME_ZONE="America/Chicago",
        LANGUAGE_CODE="en-us",
        ROOT_URLCONF="conformance_urls",
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [req["dir"]],
        }],
    )
    django.setup()
    make_urlconf()

    from django.template import Context, engines
    from django.test.utils import override_settings

    engine = engines["django"].engine
    context = decode(req["context"])
    out = []
    for case in req["cases"]:
        variant = req["variants"][case["variant"]]
        with override_settings(**variant):
            try:
                tpl = engine.get_template(case["template"])
                out.append({"output": tpl.render(Context(dict(context, csrf_token=req["csrf_token"])))})
            except Exception as e:  # the error itself is what we compare
                out.append({"error": "%s: %s" % (type(e).__name__, e)})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
