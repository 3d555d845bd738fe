# The Django side of the sharing suite: configures Django 5.2.19 with the
# CACHES/DATABASES given as JSON in argv[1], then runs the operations read
# as JSON from stdin on caches["default"] and prints their results as JSON.
import datetime, decimal, json, os, sys, time, uuid, zoneinfo  # noqa: F401 (used by eval)

import django
from django.conf import settings

conf = json.loads(sys.argv[1])
# A settings module makes Django set the process's TZ to TIME_ZONE (naive
# datetimes, such as the db cache's expires under USE_TZ = False, are that
# wall clock); settings.configure() does not, so do it here as it would.
os.environ["TZ"] = conf.get("TIME_ZONE", "UTC")
time.tzset()
settings.configure(CACHES=conf["CACHES"], DATABASES=conf["DATABASES"], USE_TZ=conf.get("USE_TZ", True),
                   TIME_ZONE=conf.get("TIME_ZONE", "UTC"), INSTALLED_APPS=[], ALLOWED_HOSTS=["testserver"])
django.setup()
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402

out = []
for op in json.load(sys.stdin):
    name, key = op["op"], op.get("key")
    try:
        if name == "createcachetable":
            call_command("createcachetable", verbosity=0)
            out.append(True)
        elif name == "set":
            cache.set(key, eval(op["expr"]), op.get("timeout", 300))
            out.append(True)
        elif name == "check":  # get, and compare with the expression
            want = eval(op["expr"])
            got = cache.get(key, "<miss>")
            same = got == want and type(got) is type(want)
            if isinstance(want, decimal.Decimal) and want.is_nan():
                same = isinstance(got, decimal.Decimal) and got.is_nan()
            if isinstance(want, (datetime.datetime, datetime.time)):
                same = same and got.utcoffset() == want.utcoffset()
            out.append(True if same else "got %r" % (got,))
        elif name == "has":
            out.append(cache.has_key(key))
        elif name == "incr":
            out.append(cache.incr(key, op.get("delta", 1)))
        elif name == "touch":
            out.append(cache.touch(key, op.get("timeout", 300)))
        elif name == "delete":
            out.append(cache.delete(key))
        elif name == "fragment":  # render a {% cache %} fragment for who=expr
            from django.template import Context, Engine
            t = Engine(libraries={"cache": "django.templatetags.cache"}).from_string(
                "{% load cache %}{% cache 500 side who %}<b>{{ who }} by django</b>{% endcache %}")
            out.append(t.render(Context({"who": op["expr"]})))
        elif name == "page":  # GET /p/ through cache_page + vary_on_cookie with Cookie: expr
            from django.http import HttpResponse
            from django.test import RequestFactory
            from django.views.decorators.cache import cache_page
            from django.views.decorators.vary import vary_on_cookie

            @cache_page(300)
            @vary_on_cookie
            def view(request):
                return HttpResponse(uuid.uuid4().hex)  # a new body per render

            req = RequestFactory().get("/p/", HTTP_COOKIE=op["expr"])
            out.append(view(req).content.decode())
        elif name == "sleep":
            time.sleep(op["seconds"])
            out.append(True)
        else:
            out.append("unknown op " + name)
    except Exception as e:  # reported to the Go side, which fails the case
        out.append("error %s: %s" % (type(e).__name__, e))
json.dump(out, sys.stdout)
