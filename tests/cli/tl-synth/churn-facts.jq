# The churn planted by tl-synth --churn, checked against its logs.
# usage: tests/cli/tl-synth/churn-records.sh DIR |
#            jq -n -r --slurpfile t DIR/truth.json -f tests/cli/tl-synth/churn-facts.jq
# Input: one record per line, {k, s, ts} or {k, s, day} (and entry for
# trades), as churn-records.sh writes them from the raw logs, dirt and
# all.  Prints one line per planted fact with the number of records that
# break it (0 when the fact holds).

# The UTC date of a logged timestamp in any spelling tl-synth writes:
# RFC 3339 in UTC, with a +05:30 offset, or epoch milliseconds.
def utc_day:
	if type == "number" then (. / 1000 | floor | todate[0:10])
	elif test("\\+05:30$") then
		((.[0:19] + "Z") | fromdateiso8601 - 19800 | todate[0:10])
	else .[0:10] end;
def is_day: type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$");

[inputs
 | select((.s | type) == "string" and .s != "")
 | .d = (if .day != null then .day else (.ts | utc_day?) end)
 | .e = (if .entry != null then (.entry | utc_day?) else null end)
 | select(.d | is_day)] as $r
| $t[0].churn as $c
| def of($s): $r | map(select(.s == $s));
  def count(f): map(select(f)) | length;
  def kinds: group_by(.k) | map("\(.[0].k) \(length)") | join(", ");

"spec \($c.spec | to_entries | map("\(.key)=\(.value)") | join(","))",
($c.late_start[] | . as $x | of($x.strategy) as $v |
	"late \($x.strategy) from \($x.start): records before \($v |
	count(.d < $x.start or (.e != null and .e < $x.start))), first decision \($v |
	map(select(.k == "decision") | .d) | min)"),
($c.pause[] | . as $x | of($x.strategy) as $v |
	"pause \($x.strategy) \($x.from)..\($x.to): decisions in \($v |
	count(.k == "decision" and .d >= $x.from and .d <= $x.to)), trades open in \($v |
	count(.k == "trade" and .d >= $x.from and (.e == null or .e <= $x.to))), decides again \($v |
	map(select(.k == "decision" and .d > $x.to) | .d) | min)"),
($c.retired[] | . as $x | of($x.strategy) as $v |
	"retired \($x.strategy) on \($x.date): decisions after \($v |
	count(.k == "decision" and .d > $x.date)), trades after \($v |
	count(.k == "trade" and .d > $x.date)), runs begun after \($v |
	count(.k == "run" and .d > $x.date)), last trade \($v |
	map(select(.k == "trade") | .d) | max) (truth \($x.last_trade))"),
($c.renamed[] | . as $x |
	"renamed \($x.from) -> \($x.to) on \($x.date): old name from then \(of($x.from) |
	count(.d >= $x.date)), new name before \(of($x.to) |
	count(.d < $x.date)), new name's records: \(of($x.to) | kinds)")
