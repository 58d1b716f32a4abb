# shellcheck shell=bash
# Sourced by the tl-nightly CLI cases: a small sample log directory with
# planted truth and a config using it, in $WORK; leaves the case there.
# nightly_conf FILE [KEY=VALUE...] writes another config.
cd "$WORK" || exit
tl-synth -q -o sample --days 20 --trades 400 --strategies 6 --periods 4 \
    -s 7 || exit
nightly_conf() {
	local f=$1
	shift
	{
		echo "LOG_DIR=sample/logs"
		echo "STATE_DIR=state"
		echo "MARKET=sample/market.csv"
		echo "SPACE=$TL_TESTDATA/../etc/space.json"
		echo "SEED=3"
		printf '%s\n' "$@"
	} >"$f"
}
nightly_conf n.conf
# the files of a night without its log and the steps' seconds of
# pipeline.json (what differs on a rerun)
night_sums() {
	(cd "$1" && find . -type f ! -name nightly.log ! -name pipeline.json |
	    sort | xargs sha256sum &&
	    sed 's/,"seconds":[0-9.]*//g' pipeline.json | sha256sum)
}
