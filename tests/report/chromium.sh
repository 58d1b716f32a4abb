#!/bin/bash
# Render a night's report and the history page in headless Chromium, at
# 1280 and 390 px wide, in the light and the dark colour scheme, and check
# them.  The night is the demo's (tl-synth -s 42, 60 days, 16 strategies)
# built by tl-nightly on its last two weekdays, so that its book has a
# live day and the history page has two nights.  Checks:
#   - each page alone: no console message at all (it has no script, so
#     any message is a problem: a blocked resource, a parse error), no
#     script or external resource (links to the history page and the
#     nights are relative), every expected section and chart in the DOM,
#     the dark scheme really applies (the screenshots differ);
#   - at each width and scheme (tests/report/check.js, run in a copy of
#     the page shown in an iframe of that width: Chromium's own window is
#     never narrower than 500 px): every chart shown has a title, a
#     visible caption and an axis caption, every text of a chart is
#     inside its box and at least 11 px high, the page does not scroll
#     sideways, and a table wider than its place says that it scrolls.
# Screenshots of both pages at both widths and schemes go to shotdir.
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
export PATH="$bindir:$PATH"

# the demo's logs, the nightly on their last two weekdays
if ! tl-synth -q -o "$tmp/sample" --days 60 --trades 4000 --strategies 16 \
    --periods 8 -s 42; then
	echo "$prog: tl-synth failed" >&2
	exit 1
fi
end=$(sed -n 's/.*"end": *"\([0-9-]*\)".*/\1/p' "$tmp/sample/truth.json")
nights=() d=$end
while [ ${#nights[@]} -lt 2 ]; do
	[ "$(date -u -d "$d" +%u)" -le 5 ] && nights=("$d" "${nights[@]}")
	d=$(date -u -d "$d - 1 day" +%F)
done
printf 'LOG_DIR=%s\nSTATE_DIR=%s\nBIN_DIR=%s\nMARKET=%s\nSPACE=%s\nSEED=42\n' \
    "$tmp/sample/logs" "$tmp/state" "$bindir" "$tmp/sample/market.csv" \
    "$top/etc/space.json" >"$tmp/nightly.conf"
for n in "${nights[@]}"; do
	if ! "$top/scripts/tl-nightly" -q -c "$tmp/nightly.conf" -d "$n"; then
		echo "$prog: tl-nightly -d $n failed" >&2
		exit 1
	fi
done
fail=0

# problem MESSAGE: report a failed check
problem() {
	echo "$prog: FAIL: $*" >&2
	fail=1
}

# chrome SCHEME ARGS... URL: headless Chromium with the colour scheme
# (light or dark) and a fresh profile; Blink's preferredColorScheme is
# 0 for dark and 1 for light.
chrome() {
	local scheme=$1 pref=1
	shift
	[ "$scheme" = dark ] && pref=0
	timeout -k 5 120 "$browser" --headless --no-sandbox --disable-gpu \
	    --no-first-run --no-default-browser-check --hide-scrollbars \
	    --disable-extensions --disable-background-networking \
	    --user-data-dir="$tmp/profile-$scheme" \
	    --blink-settings=preferredColorScheme=$pref \
	    --enable-logging=stderr --v=0 "$@"
}

# the pages: name, file, the ids that must be in it, screenshot heights
# at 1280 and 390 px
report_ids=(attention book health model candidates allocation overfit
    bandit regime calibration changes chart-book chart-book-log
    chart-drawdown chart-months chart-rolling-sharpe chart-rolling-vol
    chart-histogram chart-pnl-strategy chart-pnl-symbol chart-importance
    chart-allocation chart-equity chart-bandit-1 chart-calibration)
history_ids=(nights record importance allocation learned alerts skill
    chart-history-book chart-history-importance chart-history-allocation
    chart-history-arms chart-history-alerts chart-history-skill)

# check_page NAME FILE IDS...: the page alone, then at each width and
# scheme through check.js
check_page() {
	local name=$1 page=$2 scheme id w h
	shift 2
	if grep -Eiq '<script|<link|<iframe|<img|@import|src=|href="(https?:)?//' \
	    "$page"; then
		problem "$name: a script or an external resource"
	fi
	for scheme in light dark; do
		if ! chrome "$scheme" --dump-dom "file://$page" \
		    >"$tmp/dom.html" 2>"$tmp/log.txt"; then
			problem "$name, $scheme: chromium could not render it"
			tail -n 20 "$tmp/log.txt" >&2
			continue
		fi
		if grep -q 'CONSOLE' "$tmp/log.txt"; then
			problem "$name, $scheme: console messages:"
			grep 'CONSOLE' "$tmp/log.txt" >&2
		fi
		for id in "$@"; do
			grep -q "id=\"$id\"" "$tmp/dom.html" ||
			    problem "$name, $scheme: no element with id '$id'"
		done
	done
	# a copy that runs check.js, in an iframe of each width
	{
		sed '/<\/body>/,$d' "$page"
		printf '<script>\n'
		cat "$top/tests/report/check.js"
		printf '</script>\n</body>\n</html>\n'
	} >"$(dirname "$page")/checked-$name.html"
	for w in 1280 390; do
		h=$([ "$w" = 1280 ] && echo 10000 || echo 20000)
		[ "$name" = history ] && h=$((h / 2))
		printf '<!DOCTYPE html><html><body style="margin:0">\n%s\n%s\n%s\n</body></html>\n' \
		    "<iframe src=\"checked-$name.html\" style=\"border:0;width:${w}px;height:${h}px\"></iframe>" \
		    '<pre id="out">no answer from check.js</pre>' \
		    "<script>addEventListener('message',function(e){document.getElementById('out').textContent=e.data})</script>" \
		    >"$(dirname "$page")/frame-$name-$w.html"
		for scheme in light dark; do
			chrome "$scheme" --dump-dom --virtual-time-budget=20000 \
			    --window-size=$((w + 20)),900 \
			    "file://$(dirname "$page")/frame-$name-$w.html" \
			    >"$tmp/frame.html" 2>/dev/null
			sed -n '/<pre id="out">/,/<\/pre>/p' "$tmp/frame.html" |
			    sed 's/<[^>]*>//g' >"$tmp/out.txt"
			if grep -q FAIL "$tmp/out.txt" ||
			    ! grep -q '^checked' "$tmp/out.txt"; then
				problem "$name at $w px, $scheme:"
				head -n 20 "$tmp/out.txt" >&2
			else
				echo "$prog: $name at $w px, $scheme: $(grep '^checked' "$tmp/out.txt")"
			fi
			chrome "$scheme" --screenshot="$shots/$name-$scheme-$w.png" \
			    --window-size="$((w + 20)),$h" \
			    "file://$(dirname "$page")/frame-$name-$w.html" \
			    >/dev/null 2>&1 ||
				problem "$name: no screenshot at $w px, $scheme"
		done
	done
}

check_page report "$tmp/state/nights/${nights[1]}/report.html" \
    "${report_ids[@]}"
check_page history "$tmp/state/history.html" "${history_ids[@]}"

# The schemes must differ: identical screenshots mean that the colour
# scheme was ignored (no PNG decoder is needed for that).
if cmp -s "$shots/report-light-1280.png" "$shots/report-dark-1280.png"; then
	problem "the light and the dark screenshots are identical"
fi

if [ "$fail" -ne 0 ]; then
	echo "$prog: failed; screenshots in $shots" >&2
	exit 1
fi
echo "$prog: ok: the report (${#report_ids[@]} sections and charts) and" \
    "the history page (${#history_ids[@]}) at 1280 and 390 px, light and" \
    "dark, no console message; screenshots in $shots"
