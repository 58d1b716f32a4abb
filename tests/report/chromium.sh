#!/bin/bash
# Render the report of the fixture night in headless Chromium, in the light
# and the dark colour scheme, and check it: the page loads with no console
# message at all (it has no script, so any message is a problem: a blocked
# resource, a parse error), every expected section and chart is in the DOM,
# the page asks for nothing over the network, and the dark scheme really
# applies.  Screenshots (desktop light and dark, phone light and dark) go
# to the directory given as argument.
#
# usage: tests/report/chromium.sh bindir shotdir
#   exit 0 all good, 1 a check failed, 77 chromium is not installed
#   (the Automake "skipped" status), 64 usage
# environment: CHROMIUM (the browser binary; default: chromium, then
# chromium-browser, then google-chrome)
set -uo pipefail
export LC_ALL=C TZ=UTC

prog=report-chromium
if [ $# -ne 2 ]; then
	echo "usage: tests/report/chromium.sh bindir shotdir" >&2
	exit 64
fi
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bindir=$(cd "$1" 2>/dev/null && pwd) || {
	echo "$prog: $1: no such directory (run make first)" >&2
	exit 66
}
shots=$2

browser=${CHROMIUM:-}
if [ -z "$browser" ]; then
	for b in chromium chromium-browser google-chrome; do
		if command -v "$b" >/dev/null 2>&1; then
			browser=$b
			break
		fi
	done
fi
if [ -z "$browser" ] || ! command -v "$browser" >/dev/null 2>&1; then
	echo "$prog: skipped: chromium is not installed" \
	    "(apt-get install -y chromium)" >&2
	exit 77
fi

mkdir -p "$shots" || exit 73
shots=$(cd "$shots" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tl-chromium.XXXXXX") || exit 73
trap 'rm -rf "$tmp"' EXIT

fixtures=$top/testdata/tl-report
if ! "$bindir/tl-report" -q -o "$tmp/out" --prev "$fixtures/prev" \
    "$fixtures/full"; then
	echo "$prog: tl-report failed on the fixture night" >&2
	exit 1
fi
page=$tmp/out/report.html
url=file://$page
fail=0

# problem MESSAGE: report a failed check
problem() {
	echo "$prog: FAIL: $*" >&2
	fail=1
}

# chrome SCHEME ARGS...: run headless Chromium with the colour scheme
# (light or dark) and a fresh profile; Blink's preferredColorScheme is
# 0 for dark and 1 for light.
chrome() {
	local scheme=$1 pref=1
	shift
	[ "$scheme" = dark ] && pref=0
	timeout -k 5 90 "$browser" --headless --no-sandbox --disable-gpu \
	    --no-first-run --no-default-browser-check --hide-scrollbars \
	    --disable-extensions --disable-background-networking \
	    --user-data-dir="$tmp/profile-$scheme" \
	    --blink-settings=preferredColorScheme=$pref \
	    --enable-logging=stderr --v=0 "$@" "$url"
}

# The page is self-contained: no script, no external resource.
if grep -Eiq '<script|<link|<iframe|<img|@import|(src|href)=' "$page"; then
	problem "report.html refers to a script or an external resource"
fi

expected_ids=(attention health model candidates allocation overfit bandit
    regime calibration changes chart-importance chart-allocation
    chart-equity chart-bandit chart-calibration)

for scheme in light dark; do
	if ! chrome "$scheme" --dump-dom >"$tmp/dom-$scheme.html" \
	    2>"$tmp/log-$scheme.txt"; then
		problem "$scheme: chromium could not render the page" \
		    "(see its log below)"
		tail -n 20 "$tmp/log-$scheme.txt" >&2
		continue
	fi
	if grep -q 'CONSOLE' "$tmp/log-$scheme.txt"; then
		problem "$scheme: console messages:"
		grep 'CONSOLE' "$tmp/log-$scheme.txt" >&2
	fi
	for id in "${expected_ids[@]}"; do
		if ! grep -q "id=\"$id\"" "$tmp/dom-$scheme.html"; then
			problem "$scheme: no element with id '$id' in the DOM"
		fi
	done
	n=$(grep -o '<svg[^>]*role="img"' "$tmp/dom-$scheme.html" | wc -l)
	t=$(grep -o '<title id="chart-[a-z]*-t">' "$tmp/dom-$scheme.html" |
	    wc -l)
	if [ "$n" -lt 5 ] || [ "$n" -ne "$t" ]; then
		problem "$scheme: $n charts and $t chart titles, expected 5" \
		    "or more, each with a <title>"
	fi
	tables=$(grep -o '<table>' "$tmp/dom-$scheme.html" | wc -l)
	captions=$(grep -o '<caption>' "$tmp/dom-$scheme.html" | wc -l)
	if [ "$tables" -lt 6 ] || [ "$tables" -ne "$captions" ]; then
		problem "$scheme: $tables tables and $captions captions"
	fi
	chrome "$scheme" --screenshot="$shots/report-$scheme.png" \
	    --window-size=1000,6600 >/dev/null 2>&1 ||
		problem "$scheme: no desktop screenshot"
	chrome "$scheme" --screenshot="$shots/report-$scheme-phone.png" \
	    --window-size=390,11500 >/dev/null 2>&1 ||
		problem "$scheme: no phone screenshot"
done

# The schemes must differ: identical screenshots mean that the colour
# scheme was ignored (no PNG decoder is needed for that).
if [ -f "$shots/report-light.png" ] && [ -f "$shots/report-dark.png" ] &&
    cmp -s "$shots/report-light.png" "$shots/report-dark.png"; then
	problem "the light and the dark screenshots are identical"
fi

if [ "$fail" -ne 0 ]; then
	echo "$prog: failed; screenshots in $shots" >&2
	exit 1
fi
echo "$prog: ok: ${#expected_ids[@]} sections and charts in both schemes," \
    "no console message; screenshots in $shots"
