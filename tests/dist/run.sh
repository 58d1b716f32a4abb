#!/bin/bash
# Dispatch tests (make check-dist): the machinery that tl-bayesopt(1)'s
# dispatch engines drive, run for real on this machine.  tests/dist/lib.sh
# starts munged, a one-node Slurm cluster (slurmctld, slurmd) and sshd for
# a throw-away user, and takes them down on exit; each case then runs
# trials of tests/dist/trial (params on stdin, {"value":...} out) with the
# command lines that README quotes:
#
#   slurm-array      40 trials as one job array; the results, collected
#                    from the files the jobs wrote, equal a local run's
#   slurm-scancel    a running trial cancelled: CANCELLED, no result
#   slurm-node-lost  slurmd killed while two trials run: the node goes
#                    DOWN, one trial ends NODE_FAIL, the other (--requeue)
#                    goes back to the queue; slurmd started again: the
#                    old trials are killed, the requeued one runs again
#   parallel-ssh     40 trials through GNU parallel --sshlogin to the
#                    user on localhost; one fails once and is retried;
#                    the results equal a local run's
#   run-slurm        tl-bayesopt run --dispatch slurm: 40 trials, the
#                    history's params and values by trial number equal
#                    those of a local run of the same seed
#   run-slurm-scancel one trial of a run scancelled: it is retried as a
#                    new job (its record says so) and completes
#   run-slurm-kill   the driver killed (SIGKILL) mid-run and started
#                    again: it takes up the jobs still queued or running
#                    (their records name the job of before), repeats no
#                    finished trial and ends with every trial once
#   run-slurm-node-lost slurmd killed while two trials of a run are on
#                    the node: both end NODE_FAIL and are retried as new
#                    jobs (their records say so), which wait for the node;
#                    slurmd started again, the run completes with the
#                    trials of a local run
#   run-parallel     tl-bayesopt run --dispatch parallel --sshlogin: 40
#                    trials, the history equal to a local run's
#   run-parallel-unreachable
#                    a login ssh cannot reach: alone, the run stops after
#                    a batch (75, the reason) and resumes over a good
#                    login; beside a good login, every trial runs there
#   shard-slurm      tl-nightly(1) SCALING's lines as printed (its paths
#                    made this run's): a log's files in 8 lists, each
#                    ingested into a shard by a task of a Slurm job
#                    array; the merge equals one tl-ingest of the log
#   shard-parallel   the same with its GNU parallel --sshlogin line, the
#                    shards written by the user on localhost
#   readme           README quotes trial.sbatch and the two command
#                    lines as lib.sh has them
#
# It needs root (the daemons, the user); run by another user every case
# but readme is skipped, and counted so.  The last line is "dist: N passed, M
# failed, K skipped"; the exit status is 1 if M > 0.
#
# usage: tests/dist/run.sh bindir [case ...]
# environment: TL_VERBOSE=1 (the daemons' progress), TL_KEEP=1 (keep the
# run's directory: configurations, logs, the trials' files)
set -uo pipefail
export LC_ALL=C TZ=UTC
# the cluster of this run only, whatever the caller's environment names
# (SLURM_CONF of a real cluster, SBATCH_PARTITION, PARALLEL options)
# shellcheck disable=SC2046 # the names are words
unset $(compgen -e | grep -E '^(SLURM|SBATCH|SQUEUE|SINFO|SCANCEL|SCONTROL|PARALLEL)(_|$)')

prog=dist
all_cases=(slurm-array slurm-scancel slurm-node-lost parallel-ssh run-slurm
    run-slurm-scancel run-slurm-kill run-slurm-node-lost run-parallel
    run-parallel-unreachable shard-slurm shard-parallel readme)
cases=("${all_cases[@]}")
ntrials=40

if [ $# -lt 1 ]; then
	echo "usage: tests/dist/run.sh bindir [case ...]" >&2
	exit 64
fi
if ! bindir=$(cd "$1" 2>/dev/null && pwd); then
	echo "$prog: $1: no such directory (run make first)" >&2
	exit 66
fi
shift
[ $# -eq 0 ] || cases=("$@")
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 66
# shellcheck source=tests/dist/lib.sh
. tests/dist/lib.sh

pass=0
fail=0
skipped=0

root=1
[ "$(id -u)" -eq 0 ] || root=0
if [ $root -eq 0 ]; then
	echo "$prog: not root: the cases that start munged, slurmctld, slurmd" \
	    "and sshd and add a user are skipped; as root run" \
	    "make check-dist (it installs them: scripts/setup --tests --dist)"
	scripts/setup --tests --dist 2>&1 |
	    sed -n "s/^setup: run as root: /$prog: or install them first, as root: /p"
fi

# needs_root CASE: does CASE start the daemons (all but readme)?
needs_root() {
	[ "$1" != readme ]
}

# Start the daemons when a case selected needs them and we may.
want=0
for c in "${cases[@]}"; do
	needs_root "$c" && want=$root
done
up=1
run=$(mktemp -d "${TMPDIR:-/tmp}/tl-dist.XXXXXX") || exit 73
finish() {
	dist_stop
	if [ "${TL_KEEP:-0}" = 1 ]; then
		echo "$prog: kept $run" >&2
	else
		rm -rf "$run"
	fi
}
trap finish EXIT
trap 'exit 130' INT TERM

missing=()
if [ $want -eq 1 ]; then
	for t in munged slurmctld slurmd sbatch parallel /usr/sbin/sshd ssh \
	    jq python3 "$bindir/tl-bayesopt"; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	[ ${#missing[@]} -eq 0 ] ||
	    echo "$prog: missing: ${missing[*]} (scripts/setup --tests" \
	    "--dist installs the programs; make builds tl-bayesopt)" >&2
fi
if [ $want -eq 1 ] && [ ${#missing[@]} -eq 0 ]; then
	start=$SECONDS
	up=0
	if [ "${TL_VERBOSE:-0}" = 1 ]; then
		dist_start "$run" || up=1
	else
		dist_start "$run" 2>"$run/start.log" || {
			up=1
			cat "$run/start.log" >&2
		}
	fi
	[ $up -eq 0 ] && echo "$prog: cluster and sshd up in" \
	    "$((SECONDS - start)) s (node $DIST_NODE, $DIST_CPUS CPUs;" \
	    "sshd on 127.0.0.1:$DIST_SSH_PORT)"
fi

# The trials: params from tl-bayesopt's first suggestions for the space
# of its tests, and what the trial prints for each when run here.
params=$run/params.jsonl
local_out=$run/local.jsonl
if [ $up -eq 0 ]; then
	"$bindir/tl-bayesopt" suggest --space testdata/tl-bayesopt/space.json \
	    -n "$ntrials" -s 24 | jq -c .params >"$params" &&
	    while IFS= read -r l; do
		printf '%s\n' "$l" | tests/dist/trial -s 0 || exit 1
	    done <"$params" >"$local_out" || up=1
fi

# batch NAME [N]: a fresh directory for a batch of the first N (all)
# params; prints its name
batch() {
	local d=$run/$1
	mkdir -m 755 "$d" || return 1
	head -n "${2:-$ntrials}" "$params" >"$d/params.jsonl"
	printf '%s\n' "$d"
}

# why MSG: say why the case fails; return 1
why() {
	printf '  %s\n' "$*" >&2
	return 1
}

# task_state JOB TASK: the task's state as squeue -t all shows it
# (RUNNING, COMPLETED, CANCELLED, NODE_FAIL, ...) while the controller
# keeps it (MinJobAge after its end)
task_state() {
	squeue -h -t all -j "$1" -o '%K %T' | awk -v t="$2" '$1 == t { print $2 }'
}

# task_is JOB TASK STATE: is the task in STATE?
task_is() {
	[ "$(task_state "$1" "$2")" = "$3" ]
}

# job_active JOB: has the job a task pending, running or ending?
job_active() {
	[ -n "$(squeue -h -j "$1" -t pending,running,completing,configuring,suspended -o %i 2>/dev/null)" ]
}

# job_wait JOB SECONDS: poll until no task of JOB is active, as the slurm
# engine will (sbatch --wait polls with growing sleeps: 40 trials that
# end in 20 s took it 42 s)
job_wait() {
	local n=$(($2 * 5))
	while job_active "$1"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || why "job $1 still active after $2 s:" \
		    "$(squeue -h -j "$1" -o '%i %T %r' | tr '\n' ';')" || return 1
		sleep 0.2
	done
}

# scontrol_field JOB FIELD: FIELD=value of scontrol show job JOB
scontrol_field() {
	scontrol show job "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

case_slurm_array() {
	local d j i st bad=0
	d=$(batch array) || return 1
	j=$(dist_sbatch "$d" "$ntrials" "$DIST_TESTS/trial") ||
	    why "sbatch failed" || return 1
	job_wait "$j" 180 || return 1
	for ((i = 0; i < ntrials; i++)); do
		st=$(task_state "$j" "$i")
		[ "$st" = COMPLETED ] || { why "task $i: $st, not COMPLETED"; bad=1; }
		[ "$(cat "$d/${j}_$i.status" 2>/dev/null)" = 0 ] ||
		    { why "task $i: no status 0 in ${j}_$i.status"; bad=1; }
		cat "$d/${j}_$i.out" 2>/dev/null
	done >"$d/results.jsonl"
	[ $bad -eq 0 ] || return 1
	cmp -s "$d/results.jsonl" "$local_out" ||
	    why "results differ from the local run:" \
	    "$(diff "$local_out" "$d/results.jsonl" | head -n 5)"
}

case_slurm_scancel() {
	local d j st code
	d=$(batch scancel 1) || return 1
	j=$(dist_sbatch "$d" 1 "$DIST_TESTS/trial" -s 120) ||
	    why "sbatch failed" || return 1
	dist_wait 30 task_is "$j" 0 RUNNING ||
	    why "task 0 not RUNNING in 30 s: $(task_state "$j" 0)" || return 1
	# the trial is under way: its output file is open
	dist_wait 10 test -e "$d/${j}_0.out" || why "no ${j}_0.out" || return 1
	scancel "${j}_0" || why "scancel failed" || return 1
	job_wait "$j" 30 || return 1
	st=$(task_state "$j" 0)
	code=$(scontrol_field "${j}_0" ExitCode)
	[ "$st" = CANCELLED ] || why "task 0: $st, not CANCELLED" || return 1
	# ExitCode is status:signal; cancelled, the batch shell got SIGTERM
	[ "$code" = 0:15 ] || why "ExitCode $code, not 0:15" || return 1
	[ ! -s "$d/${j}_0.out" ] || why "a result: $(cat "$d/${j}_0.out")" ||
	    return 1
	# the shell may or may not outlive its pipeline by the time it
	# writes the status (143 = 128 + SIGTERM): never 0
	if [ -e "$d/${j}_0.status" ]; then
		[ "$(cat "$d/${j}_0.status")" -gt 128 ] ||
		    why "status $(cat "$d/${j}_0.status") after scancel" ||
		    return 1
	fi
	grep -q "CANCELLED AT" "$d/${j}_0.log" ||
	    why "no 'CANCELLED AT' in the job's log" || return 1
	echo "  scancel: state $st, ExitCode $code, status file:" \
	    "$(cat "$d/${j}_0.status" 2>/dev/null || echo none);" \
	    "log: $(grep -o 'CANCELLED AT.*' "$d/${j}_0.log")"
}

# holds FILE: has a process FILE open?
holds() {
	local p
	for p in /proc/[0-9]*; do
		find "$p/fd" -maxdepth 1 -lname "$1" 2>/dev/null | grep -q . &&
		    return 0
	done
	return 1
}

# not CMD...: the negation of CMD, for dist_wait
not() {
	! "$@"
}

# lose_node: slurmd killed as a crash would; wait until the node is
# down* (SlurmdTimeout 5 s: not responding, then DOWN; its jobs end
# NODE_FAIL or go back to the queue)
lose_node() {
	dist_slurmd_kill || why "could not kill slurmd" || return 1
	dist_wait 120 dist_node_is 'down*' ||
	    why "node not down* 120 s after slurmd died: $(dist_node_state)"
}

# node_back: slurmd started again; wait until the node registers and is
# idle (ReturnToService 2)
node_back() {
	dist_slurmd_start
	dist_wait 60 dist_node_is idle ||
	    why "node not idle 60 s after slurmd restarted: $(dist_node_state)"
}

case_slurm_node_lost() {
	local d j r st reason t0
	d=$(batch node-lost 1) || return 1
	# two trials on the node: one as submitted (--no-requeue), one
	# that asks Slurm to requeue it (SBATCH_REQUEUE, as --requeue);
	# that one is quick once restarted
	j=$(dist_sbatch "$d" 1 "$DIST_TESTS/trial" -s 300) ||
	    why "sbatch failed" || return 1
	# shellcheck disable=SC2016 # for sh -c
	r=$(SBATCH_REQUEUE=1 dist_sbatch "$d" 1 sh -c \
	    's=300; [ "${SLURM_RESTART_COUNT:-0}" -eq 0 ] || s=0.2
	    exec "$0" -s "$s"' "$DIST_TESTS/trial") ||
	    why "sbatch --requeue failed" || return 1
	dist_wait 30 task_is "$j" 0 RUNNING && dist_wait 30 task_is "$r" 0 RUNNING ||
	    why "not both RUNNING in 30 s: $(task_state "$j" 0)," \
	    "$(task_state "$r" 0)" || return 1
	t0=$SECONDS
	lose_node || return 1
	job_wait "$j" 30 || return 1
	st=$(task_state "$j" 0)
	reason=$(sinfo -h -N -n "$DIST_NODE" -o %E)
	echo "  node lost: down* after $((SECONDS - t0)) s (reason" \
	    "'$reason'); --no-requeue: $st, ExitCode" \
	    "$(scontrol_field "${j}_0" ExitCode); --requeue:" \
	    "$(task_state "$r" 0), Restarts $(scontrol_field "${r}_0" Restarts)"
	[ "$st" = NODE_FAIL ] || why "$j: $st, not NODE_FAIL" || return 1
	[ ! -e "$d/${j}_0.status" ] ||
	    why "a status file: $(cat "$d/${j}_0.status")" || return 1
	task_is "$r" 0 PENDING || why "requeued $r: not PENDING" || return 1
	[ "$(scontrol_field "${r}_0" Restarts)" = 1 ] ||
	    why "requeued $r: Restarts not 1" || return 1
	# the trials themselves run on without slurmd
	holds "$d/${j}_0.out" ||
	    why "the trial did not outlive slurmd" || return 1
	# slurmd back: the trials left running from before are killed
	t0=$SECONDS
	node_back || return 1
	echo "  node back: idle after $((SECONDS - t0)) s"
	dist_wait 60 not holds "$d/${j}_0.out" ||
	    why "the trial of the lost node still runs 60 s after slurmd" \
	    "restarted" || return 1
	echo "  the trials left running from before: gone" \
	    "$((SECONDS - t0)) s after slurmd restarted"
	# the requeued trial runs again (after cred_expire, 10 s) to its end
	job_wait "$r" 120 || return 1
	echo "  requeued: $(task_state "$r" 0) $((SECONDS - t0)) s after" \
	    "slurmd restarted, Restarts $(scontrol_field "${r}_0" Restarts)"
	task_is "$r" 0 COMPLETED || why "requeued $r: not COMPLETED" ||
	    return 1
	head -n 1 "$local_out" | cmp -s - "$d/${r}_0.out" ||
	    why "the requeued trial's result is not the local one" || return 1
}

case_parallel_ssh() {
	local d key n
	d=$(batch parallel) || return 1
	cp tests/dist/trial "$d/trial"
	# the trial on line 7 fails the first time it runs
	mkdir -m 1777 "$d/failed"
	key=$(sed -n 7p "$d/params.jsonl" | cksum | cut -d ' ' -f 1)
	dist_parallel "$d" "$d/trial" -f "$key:$d/failed" >"$d/tagged" \
	    2>"$d/stderr" ||
	    why "parallel failed: $(head -n 5 "$d/stderr")" || return 1
	cut -f 1 "$d/tagged" >"$d/tags"
	seq 1 "$ntrials" | cmp -s - "$d/tags" ||
	    why "tags are not 1 to $ntrials in order" || return 1
	cut -f 2- "$d/tagged" | cmp -s - "$local_out" ||
	    why "results differ from the local run:" \
	    "$(cut -f 2- "$d/tagged" | diff "$local_out" - | head -n 5)" ||
	    return 1
	[ -d "$d/failed/$key" ] || why "trial 7 did not fail first" || return 1
	# joblog: a header and one line a trial (the last try), every one
	# on the login with exit status 0
	n=$(awk -F '\t' -v h="$DIST_SSH_LOGIN" \
	    'NR > 1 && $2 == h && $7 == 0' "$d/joblog" | wc -l)
	[ "$n" -eq "$ntrials" ] && [ "$(wc -l <"$d/joblog")" -eq $((ntrials + 1)) ] ||
	    why "joblog: $n of $ntrials trials on $DIST_SSH_LOGIN with status 0:" \
	    "$(head -n 3 "$d/joblog")" || return 1
	echo "  parallel: trial 7 failed once and was retried; joblog holds" \
	    "$n lines; the failed try's stderr" \
	    "$(grep -q 'failing once' "$d/stderr" && echo came || echo did not come)" \
	    "through"
}

# The trials of tl-bayesopt run: the space and seed of the params above,
# four at a time
bo_args=(--space testdata/tl-bayesopt/space.json -s 24 -j 4 --no-progress)

# bo_local: a local run of the same 40 trials into $run/bo-local.jsonl
# (once)
bo_local() {
	[ -s "$run/bo-local.jsonl" ] && return 0
	"$bindir/tl-bayesopt" run "${bo_args[@]}" -n "$ntrials" -q \
	    -H "$run/bo-local.jsonl" -o /dev/null -- "$DIST_TESTS/trial" ||
	    why "the local run failed"
}

# bo_same HISTORY [LOCAL N]: has HISTORY the N trials (number, params,
# value, state) of the local run LOCAL (bo_local's 40), whatever the order
# the results came in?
bo_same() {
	local f l=${2:-$run/bo-local.jsonl} n=${3:-$ntrials}
	for f in "$l" "$1"; do
		jq -c '[.trial, .params, .value, .state]' "$f" | sort -n -t , -k 1.2 \
		    >"$f.key"
	done
	[ "$(wc -l <"$1.key")" -eq "$n" ] ||
	    why "$1: $(wc -l <"$1.key") trials, not $n" || return 1
	cmp -s "$l.key" "$1.key" ||
	    why "$1 differs from the local run:" \
	    "$(diff "$l.key" "$1.key" | head -n 5)"
}

case_run_slurm() {
	local h=$run/bo-slurm.jsonl
	bo_local || return 1
	"$bindir/tl-bayesopt" run "${bo_args[@]}" -n "$ntrials" -q \
	    --dispatch slurm --partition tl --time-limit 5 --mem 64M \
	    --batch-dir "$run/bo-slurm" -H "$h" -o /dev/null \
	    -- "$DIST_TESTS/trial" 2>"$run/bo-slurm.err" ||
	    why "run failed: $(head -n 5 "$run/bo-slurm.err")" || return 1
	bo_same "$h" || return 1
	# every trial from a job of its own batch: where is JOB_TASK
	[ "$(jq -r '.where' "$h" | grep -c '^[0-9]*_[0-9]*$')" -eq "$ntrials" ] ||
	    why "not every record names its job" || return 1
	# the script tl-bayesopt(1) DISPATCH shows is the one the run wrote
	mandoc -T ascii man/tl-bayesopt.1 | col -bx >"$run/man.txt"
	has "$run/man.txt" "$run/bo-slurm/trial.sbatch" ||
	    why "tl-bayesopt(1) does not show trial.sbatch as written" ||
	    return 1
	echo "  $ntrials trials in $(find "$run/bo-slurm" -name job | wc -l)" \
	    "job arrays"
}

case_run_slurm_scancel() {
	local h=$run/bo-scancel.jsonl d=$run/bo-scancel pid j rec
	# the slow trial: 3 trials, the first sleeps 60 s on its first try
	# only (the marker directory says it ran once)
	mkdir -p "$d"
	cat >"$run/slow-once" <<EOF2
#!/bin/sh
if mkdir "$run/slow-once.d" 2>/dev/null; then
	exec "$DIST_TESTS/trial" -s 60
fi
exec "$DIST_TESTS/trial"
EOF2
	chmod 755 "$run/slow-once"
	"$bindir/tl-bayesopt" run "${bo_args[@]}" -j 1 -n 2 -q \
	    --dispatch slurm --partition tl --retries 1 --batch-dir "$d" \
	    -H "$h" -o /dev/null -- "$run/slow-once" 2>"$d.err" &
	pid=$!
	dist_wait 30 test -e "$d/batch-1/job" || why "no job submitted" ||
	    return 1
	j=$(cat "$d/batch-1/job")
	dist_wait 30 task_is "$j" 0 RUNNING ||
	    why "task 0 not RUNNING in 30 s" || return 1
	scancel "${j}_0" || why "scancel failed" || return 1
	wait "$pid" || why "run failed: $(head -n 5 "$d.err")" || return 1
	rec=$(jq -c 'select(.trial == 0)' "$h")
	[ "$(jq -r .state <<<"$rec")" = complete ] ||
	    why "trial 0 not complete: $rec" || return 1
	[ "$(jq -r .retried <<<"$rec")" = "${j}_0 CANCELLED" ] ||
	    why "trial 0 does not say it was cancelled and retried: $rec" ||
	    return 1
	[ "$(jq -r .where <<<"$rec")" != "${j}_0" ] ||
	    why "trial 0 not retried as a new job: $rec" || return 1
	[ "$(wc -l <"$h")" -eq 2 ] || why "not 2 records: $(cat "$h")" ||
	    return 1
	echo "  trial 0: $rec"
}

# has_lines FILE N: has FILE N lines or more?
has_lines() {
	[ "$(wc -l <"$1")" -ge "$2" ]
}

# in_flight HISTORY DIR: the trials of DIR's batches (a trial's last
# one) that HISTORY does not hold, as "TRIAL JOB_TASK" lines
in_flight() {
	local b j
	for b in "$2"/batch-*; do
		[ -e "$b/job" ] || continue
		j=$(cat "$b/job")
		awk -v j="$j" '{ print $1, j "_" NR - 1 }' "$b/trials"
	done | awk '{ last[$1] = $2 } END { for (t in last) print t, last[t] }' |
	    sort -n | while read -r t w; do
		jq -r .trial "$1" 2>/dev/null | grep -qx "$t" || echo "$t $w"
	done
}

case_run_slurm_kill() {
	local h=$run/bo-kill.jsonl d=$run/bo-kill pid n=12 t w rec
	local args=("${bo_args[@]}" -n "$n" -q --dispatch slurm --partition tl
	    --batch-dir "$d" -H "$h" -o /dev/null -- "$DIST_TESTS/trial" -s 3)
	"$bindir/tl-bayesopt" run "${args[@]}" 2>"$d.err1" &
	pid=$!
	dist_wait 120 has_lines "$h" 3 ||
	    why "no 3 trials finished in 120 s" || return 1
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	in_flight "$h" "$d" >"$d.flight"
	[ -s "$d.flight" ] || why "nothing in flight at the kill" || return 1
	echo "  killed after $(wc -l <"$h") trials; in flight:" \
	    "$(tr '\n' ' ' <"$d.flight")"
	"$bindir/tl-bayesopt" run "${args[@]}" 2>"$d.err2" ||
	    why "the second run failed: $(head -n 5 "$d.err2")" || return 1
	# every trial once, numbers 0 to n-1
	jq -r .trial "$h" | sort -n | cmp -s - <(seq 0 $((n - 1))) ||
	    why "not trials 0 to $((n - 1)) once each:" \
	    "$(jq -r .trial "$h" | sort -n | tr '\n' ' ')" || return 1
	# those in flight: taken up, in the job they ran in before
	while read -r t w; do
		rec=$(jq -c --argjson t "$t" 'select(.trial == $t)' "$h")
		[ "$(jq -r .where <<<"$rec")" = "$w" ] ||
		    why "trial $t not taken up in $w: $rec" || return 1
		[ "$(jq -r .source <<<"$rec")" = "taken up" ] ||
		    why "trial $t: source not 'taken up': $rec" || return 1
	done <"$d.flight"
	[ "$(jq -r .state "$h" | sort -u)" = complete ] ||
	    why "not all complete: $(jq -r .state "$h" | sort | uniq -c)" ||
	    return 1
}

# batches DIR: the number of DIR's batches submitted
batches() {
	find "$1" -path "$1/batch-*/job" | wc -l
}

# has_batches DIR N: has DIR N batches submitted or more?
has_batches() {
	[ "$(batches "$1")" -ge "$2" ]
}

case_run_slurm_node_lost() {
	local pid
	node_lost_run && return 0
	[ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	return 1
}

# the case, the run's pid in pid (the caller's, killed on failure)
node_lost_run() {
	local h=$run/bo-lost.jsonl d=$run/bo-lost j t0 k rec n=4
	local args=("${bo_args[@]}" -j 2 -n "$n" -q -o /dev/null)
	# a trial sleeps until the node is back (the marker), then is quick
	cat >"$run/lost-trial" <<EOF2
#!/bin/sh
[ -e "$run/node-back" ] || exec "$DIST_TESTS/trial" -s 300
exec "$DIST_TESTS/trial"
EOF2
	chmod 755 "$run/lost-trial"
	"$bindir/tl-bayesopt" run "${args[@]}" --dispatch slurm --partition tl \
	    --retries 1 --batch-dir "$d" -H "$h" -- "$run/lost-trial" \
	    2>"$d.err" &
	pid=$!
	dist_wait 30 test -e "$d/batch-1/job" || why "no job submitted" ||
	    return 1
	j=$(cat "$d/batch-1/job")
	dist_wait 30 task_is "$j" 0 RUNNING && dist_wait 30 task_is "$j" 1 RUNNING ||
	    why "not both RUNNING in 30 s: $(task_state "$j" 0)," \
	    "$(task_state "$j" 1)" || return 1
	t0=$SECONDS
	lose_node || return 1
	# the run sees NODE_FAIL and submits the retries, pending on the
	# node that is down
	dist_wait 60 has_batches "$d" 2 ||
	    why "no retry submitted 60 s after the node went down" || return 1
	echo "  node down* after $((SECONDS - t0)) s; $(batches "$d")" \
	    "batches submitted"
	touch "$run/node-back"
	t0=$SECONDS
	node_back || return 1
	wait "$pid" || why "run failed: $(head -n 5 "$d.err")" || return 1
	echo "  run done $((SECONDS - t0)) s after slurmd restarted"
	for k in 0 1; do
		rec=$(jq -c --argjson t "$k" 'select(.trial == $t)' "$h")
		[ "$(jq -r .retried <<<"$rec")" = "${j}_$k NODE_FAIL" ] ||
		    why "trial $k does not say it was lost and retried: $rec" ||
		    return 1
		[ "$(jq -r .where <<<"$rec")" != "${j}_$k" ] ||
		    why "trial $k not retried as a new job: $rec" || return 1
	done
	echo "  trial 0: $(jq -c 'select(.trial == 0) | {state, where, retried}' "$h")"
	# the trials of a local run of the same seed
	"$bindir/tl-bayesopt" run "${args[@]}" -H "$run/bo-lost-local.jsonl" \
	    -- "$DIST_TESTS/trial" || why "the local run failed" || return 1
	bo_same "$h" "$run/bo-lost-local.jsonl" "$n"
}

case_run_parallel() {
	local h=$run/bo-parallel.jsonl
	bo_local || return 1
	mkdir -m 755 "$run/bo-par-bin"
	cp tests/dist/trial "$run/bo-par-bin/trial"
	PARALLEL_SSH="ssh -F $DIST_SSH_CONFIG" "$bindir/tl-bayesopt" run \
	    "${bo_args[@]}" -n "$ntrials" -q --dispatch parallel \
	    --sshlogin "2/$DIST_SSH_LOGIN" --retries 1 \
	    --batch-dir "$run/bo-parallel" -H "$h" -o /dev/null \
	    -- "$run/bo-par-bin/trial" 2>"$run/bo-parallel.err" ||
	    why "run failed: $(head -n 5 "$run/bo-parallel.err")" || return 1
	bo_same "$h" || return 1
	[ "$(jq -r .where "$h" | sort -u)" = "$DIST_SSH_LOGIN" ] ||
	    why "not every trial ran on $DIST_SSH_LOGIN" || return 1
	echo "  $ntrials trials in" \
	    "$(find "$run/bo-parallel" -name joblog | wc -l) parallel runs"
}

# A login whose ssh fails (exit 255: nothing listens on port 1): a run
# over it alone stops after its first batch with status 75 and the
# reason, and the same command over a good login resumes it to 40
# trials; beside a good login, parallel's --retries runs every trial on
# the good one, as the local run has them.
case_run_parallel_unreachable() {
	local h=$run/bo-unreach.jsonl h2=$run/bo-unreach2.jsonl st=0 n
	local bad="$DIST_USER@127.0.0.1:1"
	bo_local || return 1
	[ -d "$run/bo-par-bin" ] || mkdir -m 755 "$run/bo-par-bin"
	cp tests/dist/trial "$run/bo-par-bin/trial"
	PARALLEL_SSH="ssh -F $DIST_SSH_CONFIG" "$bindir/tl-bayesopt" run \
	    "${bo_args[@]}" -n "$ntrials" -q --dispatch parallel \
	    --sshlogin "2/$bad" --batch-dir "$run/bo-unreach" -H "$h" \
	    -o /dev/null -- "$run/bo-par-bin/trial" 2>"$run/bo-unreach.err" ||
	    st=$?
	[ "$st" -eq 75 ] || why "status $st, not 75" || return 1
	# 4 (-j) in a row stop the launches; the 3 launched as the first
	# batch's ended fail too
	n=$(tail -n 1 "$run/bo-unreach.err" | sed -n "s/^tl-bayesopt: run: stopped: the last \([0-9]*\) trials could not be run by --dispatch parallel (ssh to ${bad//./\\.} exited with status 255: .*; when it works again, the same command resumes\$/\1/p")
	[ -n "$n" ] && [ "$n" -ge 4 ] && [ "$n" -le 7 ] ||
	    why "last line: $(tail -n 1 "$run/bo-unreach.err")" || return 1
	[ "$(wc -l <"$h")" -eq "$n" ] && [ "$(jq --arg p "ssh to $bad " \
	    'select(.state == "failed" and (.reason | startswith($p)))' \
	    "$h" | jq -s length)" -eq "$n" ] ||
	    why "$h: not $n trials failed by ssh: $(jq -c . "$h" | head -n 2)" ||
	    return 1
	PARALLEL_SSH="ssh -F $DIST_SSH_CONFIG" "$bindir/tl-bayesopt" run \
	    "${bo_args[@]}" -n "$ntrials" -q --dispatch parallel \
	    --sshlogin "2/$DIST_SSH_LOGIN" --batch-dir "$run/bo-unreach" \
	    -H "$h" -o /dev/null -- "$run/bo-par-bin/trial" \
	    2>>"$run/bo-unreach.err" ||
	    why "the resumed run failed: $(tail -n 3 "$run/bo-unreach.err")" ||
	    return 1
	[ "$(jq -r .state "$h" | sort | uniq -c | awk '{ $1 = $1; print }' |
	    paste -sd ' ')" = "$((ntrials - n)) complete $n failed" ] ||
	    why "$h after the resume: $(jq -r .state "$h" | sort | uniq -c)" ||
	    return 1
	PARALLEL_SSH="ssh -F $DIST_SSH_CONFIG" "$bindir/tl-bayesopt" run \
	    "${bo_args[@]}" -n "$ntrials" -q --dispatch parallel \
	    --sshlogin "2/$bad" --sshlogin "2/$DIST_SSH_LOGIN" --retries 1 \
	    --batch-dir "$run/bo-unreach2" -H "$h2" -o /dev/null \
	    -- "$run/bo-par-bin/trial" 2>"$run/bo-unreach2.err" ||
	    why "the run beside a bad login failed: $(tail -n 3 "$run/bo-unreach2.err")" ||
	    return 1
	bo_same "$h2" || return 1
	[ "$(jq -r .where "$h2" | sort -u)" = "$DIST_SSH_LOGIN" ] ||
	    why "not every trial ran on $DIST_SSH_LOGIN" || return 1
	echo "  unreachable alone: $n trials failed, status 75; resumed over" \
	    "a good login to $((ntrials - n)) + $n; beside a good one:" \
	    "$ntrials trials there"
}

# has TEXT-FILE PART-FILE: does TEXT-FILE hold PART-FILE's lines, one
# after the other, each line's indentation aside?
has() {
	python3 - "$1" "$2" <<'PY'
import sys
def lines(f):
    return [l.strip() for l in open(f).read().splitlines()]
text, part = lines(sys.argv[1]), lines(sys.argv[2])
sys.exit(not any(text[i:i + len(part)] == part
                 for i in range(len(text) - len(part) + 1)))
PY
}

# The log the shard cases split, its whole ingest, and tl-nightly(1)'s
# SCALING blocks with this run's paths (once): $run/shard/scaling-N.sh
shard_setup() {
	local d=$run/shard
	[ -f "$d/scaling-3.sh" ] && return 0
	mkdir -m 755 "$d" "$d/parts" || return 1
	cp "$bindir/tl-ingest" "$d/tl-ingest"	# where the user can run it
	"$bindir/tl-synth" -q -d "$d/s" --churn --days 30 --trades 3000 \
	    --strategies 8 --periods 2 --dirt 0.05 -s 5 ||
	    why "tl-synth failed" || return 1
	"$bindir/tl-ingest" -q -u 2026-02-02 --aliases "$d/s/aliases.csv" \
	    -d "$d/whole" "$d/s/logs" || why "the whole ingest failed" ||
	    return 1
	# the literal blocks of SCALING, mdoc's \e undone, this run's paths
	awk '/^\.Sh SCALING/ { on = 1; next } /^\.Sh / { on = 0 }
	    on && /^\.Bd -literal/ { n++; f = sprintf("%s/scaling-%d.sh", d, n); next }
	    on && /^\.Ed/ { f = ""; next }
	    f != "" { gsub(/\\e/, "\\"); print > f }' d="$d" man/tl-nightly.1
	[ -f "$d/scaling-3.sh" ] || why "tl-nightly(1) SCALING has no 3 blocks" ||
	    return 1
	sed -i -e "s|/srv/tl/parts|$d/parts|g; s|/var/log/trading|$d/s/logs|g" \
	    -e "s|/etc/tradelearn/aliases.csv|$d/s/aliases.csv|g" \
	    -e "s|xargs tl-ingest|xargs $d/tl-ingest|g" \
	    -e "s|--sshlogin 2/node1 --sshlogin 2/node2|--sshlogin 2/$DIST_SSH_LOGIN|" \
	    "$d"/scaling-*.sh
	(bash "$d/scaling-1.sh") || why "the lists were not made" || return 1
}

# shard_same ENGINE: the shards in $run/shard/shards-ENGINE, merged, give
# the whole ingest's outputs
shard_same() {
	local d=$run/shard n
	n=$(find "$d/shards-$1" -name shard.jsonl | wc -l)
	[ "$n" -eq 8 ] || why "$n shards written, not 8" || return 1
	"$bindir/tl-ingest" -q -u 2026-02-02 --merge -d "$d/merged-$1" \
	    "$d/shards-$1"/*/ 2>"$d/merge-$1.err" ||
	    why "merge failed: $(head -n 3 "$d/merge-$1.err")" || return 1
	diff -r "$d/whole" "$d/merged-$1" >"$d/diff-$1" ||
	    why "the merge differs from the whole ingest:" \
	    "$(head -n 5 "$d/diff-$1")" || return 1
	echo "  8 shards by $1, merged: $(find "$d/whole" -type f | wc -l)" \
	    "outputs equal to one ingest's"
}

case_shard_slurm() {
	local d=$run/shard j
	shard_setup || return 1
	sed -i "s|/srv/tl/shards|$d/shards-slurm|g" "$d/scaling-3.sh"
	mkdir -m 1777 "$d/shards-slurm"
	j=$(bash "$d/scaling-3.sh" | sed -n 's/^Submitted batch job //p')
	[ -n "$j" ] || why "sbatch submitted no job" || return 1
	job_wait "$j" 180 || return 1
	shard_same slurm
}

case_shard_parallel() {
	local d=$run/shard
	shard_setup || return 1
	sed -i "s|/srv/tl/shards|$d/shards-parallel|g" "$d/scaling-2.sh"
	mkdir -m 1777 "$d/shards-parallel"
	(cd "$d/parts" && PARALLEL_SSH="ssh -F $DIST_SSH_CONFIG" \
	    bash "$d/scaling-2.sh") 2>"$d/parallel.err" ||
	    why "parallel failed: $(head -n 5 "$d/parallel.err")" || return 1
	[ "$(stat -c %U "$d/shards-parallel/part.00")" = "$DIST_USER" ] ||
	    why "the shards were not written by $DIST_USER" || return 1
	shard_same parallel
}

case_readme() {
	local r=tests/dist/README name
	has "$r" tests/dist/trial.sbatch ||
	    why "$r does not hold trial.sbatch as it is" || return 1
	for name in sbatch parallel; do
		sed -n "/# BEGIN $name\$/,/# END $name\$/p" tests/dist/lib.sh |
		    sed '1d;$d' >"$run/$name.lines"
		[ -s "$run/$name.lines" ] || why "no $name block in lib.sh" ||
		    return 1
		has "$r" "$run/$name.lines" ||
		    why "$r does not quote lib.sh's $name line as it is" ||
		    return 1
	done
}

for c in "${cases[@]}"; do
	if ! declare -F "case_${c//-/_}" >/dev/null; then
		echo "FAIL: $c (no such case; the cases: ${all_cases[*]})"
		fail=$((fail + 1))
		continue
	fi
	if needs_root "$c" && [ $root -eq 0 ]; then
		echo "skipped: $c (needs root)"
		skipped=$((skipped + 1))
		continue
	fi
	if needs_root "$c" && [ $up -ne 0 ]; then
		echo "FAIL: $c (the cluster or sshd did not start)"
		fail=$((fail + 1))
		continue
	fi
	t=$SECONDS
	if "case_${c//-/_}"; then
		echo "ok: $c ($((SECONDS - t)) s)"
		pass=$((pass + 1))
	else
		echo "FAIL: $c ($((SECONDS - t)) s; logs: TL_KEEP=1 keeps $run)"
		fail=$((fail + 1))
	fi
done
echo "$prog: $pass passed, $fail failed, $skipped skipped"
[ $fail -eq 0 ]
