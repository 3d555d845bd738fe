"""Views of the Django twin; conformance/gotwin/views.go is the same in Go.

GET /v/?case=ID&cc=...&vary=...&echo=...&setcookie=NAME&status=N&stream=1
  The one parameterised view. It counts its calls per case= value and
  answers with
    X-Calls: N              (so hits and misses show even on 304 and HEAD)
    Cache-Control: <cc>     (only when cc= is given)
    Vary: <vary>            (only when vary= is given, verbatim)
    Set-Cookie: NAME=<id>   (only when setcookie= is given; <id> is derived
                             from the requester's Cookie and Authorization)
  and a body (empty for 304) of lines:
    calls=N
    <name>=<value>   for each echoed request header that is present
    <name>!          for each echoed request header that is absent
  The echoed headers are the names in vary= (without *), then those in
  echo=, then Authorization unless cc contains "public" (lower-cased):
  exactly the request values the response claims to depend on, so a cached
  body served to the wrong user shows whose page it was.

POST /_keys/?h=MD5&h=MD5...
  The live keys of the default cache (locmem LOCATION "") that contain
  ".MD5" for one of the given hashes, sorted, one a line.
"""
import hashlib
import threading
import time

from django.core.cache.backends import locmem
from django.http import HttpResponse, StreamingHttpResponse

_calls = {}
_calls_lock = threading.Lock()


def _count(request):
    """Counts a call of the view for this case (or path) and returns the count."""
    key = request.GET.get("case", request.path)
    with _calls_lock:
        _calls[key] = _calls.get(key, 0) + 1
        return _calls[key]


def _names(value):
    """Splits a comma-separated list of header names, trimmed, empty ones dropped."""
    return [n.strip() for n in value.split(",") if n.strip()]


def _meta(request, name):
    """The request's value of header name as Django sees it (None when absent)."""
    return request.META.get("HTTP_" + name.upper().replace("-", "_"))


def _echoed(request):
    """The header names the body echoes (see the module comment), in order."""
    names = []
    wanted = _names(request.GET.get("vary", "")) + _names(request.GET.get("echo", ""))
    if "public" not in request.GET.get("cc", "").lower():
        wanted.append("Authorization")
    for name in wanted:
        if name != "*" and name.lower() not in [n.lower() for n in names]:
            names.append(name)
    return names


def _identity(request):
    """A short token naming the requester: their Cookie and Authorization."""
    raw = "%s|%s" % (_meta(request, "Cookie") or "", _meta(request, "Authorization") or "")
    return "s-" + hashlib.md5(raw.encode("latin-1")).hexdigest()[:12]


def _body_lines(request, calls):
    """The body: the call count, then the echoed request headers."""
    lines = ["calls=%d\n" % calls]
    for name in _echoed(request):
        value = _meta(request, name)
        lines.append("%s!\n" % name.lower() if value is None else "%s=%s\n" % (name.lower(), value))
    return lines


def param_view(request):
    """The parameterised view (see the module comment)."""
    calls = _count(request)
    try:
        status = int(request.GET.get("status", "200"))
    except ValueError as e:
        return HttpResponse("bad status: %s\n" % e, status=400)
    lines = _body_lines(request, calls)
    if request.GET.get("stream") == "1":
        response = StreamingHttpResponse(iter(lines), status=status)
    elif status == 304:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse("".join(lines), status=status)
    response["X-Calls"] = str(calls)
    if "cc" in request.GET:
        response["Cache-Control"] = request.GET["cc"]
    if "vary" in request.GET:
        response["Vary"] = request.GET["vary"]
    if request.GET.get("setcookie"):
        response.set_cookie(request.GET["setcookie"], _identity(request))
    return response


def dispatch(variants):
    """A view that hands the request to variants[X-Twin-Cache] (default "600"):
    the same URL behind differently configured cache_page decorators (rules
    83-85). An unknown name is a 404."""

    def view(request):
        variant = variants.get(request.headers.get("X-Twin-Cache", "600"))
        if variant is None:
            return HttpResponse("unknown X-Twin-Cache\n", status=404)
        return variant(request)

    return view


def keys(request):
    if request.method != "POST":
        return HttpResponse("POST only\n", status=405)
    wanted = ["." + h for h in request.GET.getlist("h")]
    now = time.time()
    expiry = {}
    lock = locmem._locks.get("")  # absent until the default cache is first used
    if lock is not None:
        with lock:
            expiry = dict(locmem._expire_info.get("", {}))
    live = sorted(
        k
        for k, exp in expiry.items()
        if (exp is None or exp > now) and any(w in k for w in wanted)
    )
    response = HttpResponse("".join(k + "\n" for k in live), content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response
