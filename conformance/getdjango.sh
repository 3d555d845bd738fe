#!/usr/bin/env bash
# Unpacks the real Django 5.2.19 (Debian's python3-django from trixie-backports,
# pure Python) plus python3-asgiref and python3-sqlparse into DIR, for the
# conformance suite. Nothing is installed system-wide: the packages are fetched
# with apt-get download through a private sources list and unpacked with
# dpkg -x. Needs apt-get, dpkg and a reachable Debian mirror (PyPI is not used).
#
#   bash conformance/getdjango.sh conformance/.django
#   PYTHONPATH=DIR/django:DIR/asgiref:DIR/sqlparse python3 -m django --version   # 5.2.19
#
# DJANGO_DEB_VERSION overrides the exact Debian version fetched. EXTRAS adds
# Django's cache clients from Debian the same way (EXTRAS="redis pymemcache":
# python3-redis and python3-pymemcache into DIR/redis and DIR/pymemcache),
# for the sharing suite (conformance/sharing). DBEXTRAS adds compiled
# database drivers (DBEXTRAS="psycopg2 mysqldb"), from the Debian release
# whose python3 matches the running one (bookworm: 3.11, trixie: 3.13), so
# that their C extensions load.
set -euo pipefail
dir="${1:?usage: getdjango.sh DIR}"
want=5.2.19
deb_version="${DJANGO_DEB_VERSION:-3:5.2.19-1~bpo13+1}"
mkdir -p "$dir"; dir="$(cd "$dir" && pwd)"

# The machine's own Debian mirror, else the public one.
mirror=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v -e security -e updates | head -1 || true)
[ -n "$mirror" ] || mirror=$(grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v -e security -e updates | head -1 || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
key=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$key" ] || { echo "getdjango.sh: $key is missing (apt-get install debian-archive-keyring)" >&2; exit 1; }

# A private apt state: its own sources list, package lists and cache.
alt=$(mktemp -d)
trap 'rm -rf "$alt"' EXIT
mkdir -p "$alt/lists/partial" "$alt/archives/partial"
pyminor=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
case "$pyminor" in
  3.11) dbsuite=bookworm ;;
  3.13) dbsuite=trixie ;;
  *) dbsuite="" ;;
esac
if [ -n "${DBEXTRAS:-}" ] && [ -z "$dbsuite" ]; then
  echo "getdjango.sh: no Debian release builds its drivers for python3 $pyminor; DBEXTRAS ignored" >&2
  DBEXTRAS=""
fi
for suite in trixie trixie-backports $([ -n "${DBEXTRAS:-}" ] && [ "$dbsuite" != trixie ] && echo "$dbsuite"); do
  echo "deb [signed-by=$key] $mirror $suite main"
done > "$alt/sources.list"
o=(-o Dir::Etc::SourceList="$alt/sources.list" -o Dir::Etc::SourceParts=/dev/null
   -o Dir::State::Lists="$alt/lists" -o Dir::Cache="$alt"
   -o Dir::Cache::pkgcache="$alt/pkgcache.bin" -o Dir::Cache::srcpkgcache="$alt/srcpkgcache.bin"
   -o APT::Sandbox::User=root)
echo "getdjango.sh: fetching package lists from $mirror (trixie, trixie-backports)"
apt-get "${o[@]}" update -qq

rm -rf "$dir/debs"; mkdir -p "$dir/debs"
( cd "$dir/debs" && apt-get "${o[@]}" download -qq "python3-django=$deb_version" python3-asgiref python3-sqlparse \
    $(for e in ${EXTRAS:-}; do echo "python3-$e"; done) $(for e in ${DBEXTRAS:-}; do echo "python3-$e/$dbsuite"; done) )

# Each package's dist-packages tree goes to DIR/<name> (django, asgiref, sqlparse).
for deb in "$dir"/debs/*.deb; do
  name=$(basename "$deb" | sed -E 's/^python3-([^_]+)_.*/\1/')
  x=$(mktemp -d)
  dpkg -x "$deb" "$x"
  rm -rf "${dir:?}/$name"; mkdir -p "$dir/$name"
  cp -r "$x"/usr/lib/python3/dist-packages/* "$dir/$name/"
  rm -rf "$x"
done

got=$(PYTHONPATH="$dir/django:$dir/asgiref:$dir/sqlparse" python3 -c 'import django; print(django.get_version())')
if [ "$got" != "$want" ]; then
  echo "getdjango.sh: unpacked Django $got, want $want" >&2
  exit 1
fi
echo "getdjango.sh: Django $got in $dir"
