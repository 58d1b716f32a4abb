/*
 * tl-ingest: turn a directory of raw trading logs (decisions, closed
 * trades, backtest/sim runs, promotions, retirements; JSONL, CSV, JSON
 * documents or gzip'd rotations; freqtrade's backtest exports, hyperopt
 * results and trade databases; other exports through mapping files) into
 * canonical records: validated, normalised, strategies renamed,
 * de-duplicated by id, with each decision joined to its outcome, plus the
 * daily strategy return series and the meta-model dataset.  A bad record
 * is set aside with its file, line, reason and the rule that gave its
 * kind; it never stops the night.  A broken document or database does:
 * half an export is not a night.
 *
 * This file: the options, the outputs opened, and the story of main():
 * read every input (read.c: stage one in normalise.c, stage two in
 * stage_two.c), then write what is built at the end (returns.c,
 * dataset.c, the unmatched of join.c) and the counts (summary.c).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tl_alias.h"
#include "tl_err.h"
#include "tl_ftdb.h"
#include "tl_jv.h"
#include "tl_kind.h"
#include "tl_map.h"
#include "tl_mapfile.h"
#include "tl_opt.h"
#include "tl_out.h"
#include "tl_progress.h"
#include "tl_records.h"
#include "tl_source.h"
#include "tl_time.h"
#include "tl_u64map.h"
#include "tl_util.h"
#include "tl_walk.h"

#include "ingest.h"

#define PROGRESS_MB	100	/* inputs that draw progress on a terminal */
#define RECORD_BYTES	256	/* a decision or a trade: 250 to 400 bytes
				 * (fewer records: the table is too big) */

/* --max-record: a line or CSV record longer than this is rejected, read
 * past but never held; the default holds any real log line (the longest
 * of a tl-synth log is 393 bytes) and bounds the memory a broken file can
 * take.  At least 1 KiB, the start of a rejected record that is kept. */
#define MAX_RECORD_DEFAULT	((size_t)64 << 20)
#define MAX_RECORD_MIN		((size_t)1 << 10)
#define MAX_RECORD_MAX		((size_t)1 << 40)

/* --memory: by default a quarter of the machine's, from 256 MiB to 1
 * GiB: in memory, stage two holds up to about one and a half times the
 * inputs (a log of decisions before its outcomes), and the night of a
 * 1,000,000-trade book (705 MB of logs) stays in memory, the faster.  0
 * always works through files. */
#define MEMORY_DEFAULT_MIN	((size_t)256 << 20)
#define MEMORY_DEFAULT_MAX	((size_t)1 << 30)

/* The outputs by name (-e, the summary's kinds). */
const char *const emit_names[E_NEMIT] = { "trades", "decisions",
	"outcomes",
	"runs", "promotions", "retirements", "returns", "dataset",
	"unmatched", "signals", "signal-outcomes", "counterfactuals" };

static const char *dir_files[E_NEMIT] = { "trades.jsonl", "decisions.jsonl",
	"outcomes.jsonl", "runs.jsonl", "promotions.jsonl",
	"retirements.jsonl", "returns.csv",
	"dataset.jsonl", "unmatched.jsonl", "signals.jsonl",
	"signal-outcomes.jsonl", "counterfactuals.jsonl" };

/* What -i reads. */
static const struct input_fmt {
	const char	*name;		/* the word */
	enum tl_src_fmt	 fmt;		/* the format */
} input_fmts[] = {
	{ "jsonl", TL_SRC_JSONL }, { "ndjson", TL_SRC_JSONL },
	{ "csv", TL_SRC_CSV }, { "json", TL_SRC_JSON }
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-ingest [-qv] [-d dir] [-e what] [-f format] [-i format] [-o file]\n"
"                 [-S file] [-T threads] [-u time] [--aliases file]\n"
"                 [--backtest-trades how] [--capital N] [--from system]\n"
"                 [--kind kind]\n"
"                 [--map name=raw] [--map-file file] [--max-record bytes]\n"
"                 [--memory bytes] [--merge | --shard] [--no-fill]\n"
"                 [--path path] [--path-as names]\n"
"                 [--progress | --no-progress] [--rejects file] [--strict]\n"
"                 [--temp-dir dir] [path ...]\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nTurn raw trading logs into canonical records (see tl-ingest(1), tl(7)).\n\n"
"      --aliases=FILE    rename strategies by the old,new lines of FILE\n"
"      --backtest-trades=HOW  a freqtrade backtest export's trades: auto\n"
"                        (left out for a strategy with closed trades in a\n"
"                        trade database read here), yes or no (its runs\n"
"                        only)\n"
"      --capital=N       capital dividing daily net P&L into returns (100000,\n"
"                        or a freqtrade backtest's starting balance)\n"
"  -d, --output-dir=DIR  write trades.jsonl, decisions.jsonl, outcomes.jsonl,\n"
"                        runs.jsonl, promotions.jsonl, retirements.jsonl,\n"
"                        returns.csv, dataset.jsonl, unmatched.jsonl,\n"
"                        signals.jsonl, signal-outcomes.jsonl,\n"
"                        counterfactuals.jsonl, rejects.jsonl to DIR\n"
"  -e, --emit=WHAT       what -o/stdout gets: trades (default), decisions,\n"
"                        outcomes, runs, promotions, retirements, returns,\n"
"                        dataset, unmatched, signals, signal-outcomes or\n"
"                        counterfactuals\n"
"  -f, --format=FMT      output format: jsonl or csv (returns: csv)\n"
"      --from=SYSTEM     what wrote the inputs: auto (by content),\n"
"                        tradelearn, freqtrade (backtest exports, hyperopt\n"
"                        results) or freqtrade-db (trade databases)\n"
"  -h, --help            this help\n"
"  -i, --input-format=F  read inputs as jsonl, csv or json (a document;\n"
"                        default: by content, then name)\n"
"      --kind=KIND       every record is a decision, outcome, run, promotion,\n"
"                        retirement, signal, signal_outcome or\n"
"                        counterfactual\n"
"      --map=NAME=RAW    take canonical field NAME from raw field RAW\n"
"      --map-file=FILE   read the files FILE's mapping names through it\n"
"      --max-record=N    reject a record longer than N bytes (K, M, G: KiB,\n"
"                        MiB, GiB; 64M)\n"
"      --memory=N        inputs over N bytes (K, M, G) are de-duplicated and\n"
"                        joined through temporary files, in memory bounded\n"
"                        by about N (default: a quarter of the machine's,\n"
"                        256M to 1G)\n"
"      --merge           stage two of the shards named (directories that\n"
"                        --shard wrote): the outputs of one run over all\n"
"                        their files\n"
"      --no-fill         returns only on days with closed trades\n"
"  -o, --output=FILE     write to FILE (atomically) instead of stdout\n"
"      --path=PATH       the records of a JSON document: the array at the\n"
"                        dotted PATH, '*' for every member\n"
"                        (strategy.*.trades)\n"
"      --path-as=NAMES   give each record the names '*' stood for as fields\n"
"                        NAMES (comma-separated)\n"
"      --progress        a progress line on stderr (default: on a terminal,\n"
"                        for inputs over 100 MB)\n"
"      --no-progress     none\n"
"  -q, --quiet           no summary line, no progress\n"
"      --rejects=FILE    write rejected records to FILE as JSONL\n"
"      --shard           stage one only, of the files named: what it made,\n"
"                        to DIR/shard.jsonl (-d DIR), for --merge\n"
"  -S, --summary=FILE    write the counts as one JSON object to FILE\n"
"      --strict          exit 65 if any record was rejected\n"
"      --temp-dir=DIR    where --memory's files go ($TMPDIR, else /tmp)\n"
"  -T, --threads=N       worker threads, 0 for all cores (0); the output\n"
"                        is the same with any\n"
"  -u, --until=TIME      leave out what happened after TIME (a date: its end)\n"
"  -V, --version         print the version\n"
"  -v, --verbose         a message for each rejected record\n");
}

/* The kinds a record can be given (--kind): every kind after
 * TL_KIND_NONE ("unknown"). */
#define KIND_NAMES	(tl_kind_names + TL_KIND_NONE + 1)
#define KIND_NNAMES	(TL_KIND_N - TL_KIND_NONE - 1)

/* A size in bytes, "64M": digits, then K, M or G (KiB, MiB, GiB), in
 * [lo, hi].  Returns 0, or -1 with err = TL_EX_USAGE. */
static int
parse_size(const char *opt, const char *s, size_t lo, size_t hi,
    size_t *out, struct tl_err *err)
{
	static const char units[] = "KMG";
	unsigned long long x;
	const char *u;
	char *end;
	int shift = 0;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (end != s && *end != '\0' && end[1] == '\0' &&
	    (u = strchr(units, *end)) != NULL) {
		shift = 10 * (int)(u - units + 1);
		end++;
	}
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
	    x > (hi >> shift) || (x << shift) < lo)
		return tl_err_set(err, TL_EX_USAGE, opt, 0, "'%s' is not a "
		    "size in [%zuK, %zuG] (bytes, or with K, M or G)", s,
		    lo >> 10, hi >> 30);
	*out = (size_t)(x << shift);
	return 0;
}

/* --backtest-trades: its words and what each asks of the sources */
static const char *const bt_names[] = { "auto", "yes", "no" };
static const enum tl_bt_trades bt_words[] = { TL_BT_LIVE, TL_BT_KEEP,
	TL_BT_NONE };

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	enum { OPT_ALIASES = 256, OPT_BTTRADES, OPT_CAPITAL, OPT_FROM,
	    OPT_KIND, OPT_MAP, OPT_MAPFILE, OPT_MAXREC, OPT_MERGE, OPT_NOFILL,
	    OPT_NOPROGRESS, OPT_PATH, OPT_PATHAS, OPT_PROGRESS, OPT_REJECTS,
	    OPT_SHARD, OPT_STRICT, OPT_MEMORY, OPT_TEMPDIR, OPT_END };
	/* The options of one stage: --shard runs stage one, --merge stage
	 * two (the others act in both, or on messages).  -u is of stage
	 * one, but --merge takes it to check the shards were written with
	 * it (shard.c), so that a night's step runs with its date. */
	static const struct stage_opt {
		int		 ch;	/* as getopt returns it */
		const char	*name;	/* its long name */
		int		 stage;	/* 1 or 2 */
	} stage_opts[] = {
		{ OPT_ALIASES, "--aliases", 1 }, { OPT_CAPITAL, "--capital", 2 },
		{ OPT_BTTRADES, "--backtest-trades", 1 },
		{ 'e', "--emit", 2 }, { 'f', "--format", 2 },
		{ OPT_FROM, "--from", 1 }, { 'i', "--input-format", 1 },
		{ OPT_KIND, "--kind", 1 }, { OPT_MAP, "--map", 1 },
		{ OPT_MAPFILE, "--map-file", 1 },
		{ OPT_MAXREC, "--max-record", 1 },
		{ OPT_MEMORY, "--memory", 2 }, { OPT_TEMPDIR, "--temp-dir", 2 },
		{ OPT_NOFILL, "--no-fill", 2 }, { 'o', "--output", 2 },
		{ OPT_PATH, "--path", 1 }, { OPT_PATHAS, "--path-as", 1 },
		{ OPT_REJECTS, "--rejects", 2 }, { 'S', "--summary", 2 },
		{ OPT_STRICT, "--strict", 2 }
	};
	unsigned char given[OPT_END] = { 0 };
	static const struct option longopts[] = {
		{ "aliases", required_argument, NULL, OPT_ALIASES },
		{ "backtest-trades", required_argument, NULL, OPT_BTTRADES },
		{ "capital", required_argument, NULL, OPT_CAPITAL },
		{ "output-dir", required_argument, NULL, 'd' },
		{ "outdir", required_argument, NULL, 'd' },
		{ "emit", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'f' },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "help", no_argument, NULL, 'h' },
		{ "input-format", required_argument, NULL, 'i' },
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "map", required_argument, NULL, OPT_MAP },
		{ "map-file", required_argument, NULL, OPT_MAPFILE },
		{ "max-record", required_argument, NULL, OPT_MAXREC },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "merge", no_argument, NULL, OPT_MERGE },
		{ "no-fill", no_argument, NULL, OPT_NOFILL },
		{ "no-progress", no_argument, NULL, OPT_NOPROGRESS },
		{ "output", required_argument, NULL, 'o' },
		{ "path", required_argument, NULL, OPT_PATH },
		{ "path-as", required_argument, NULL, OPT_PATHAS },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "rejects", required_argument, NULL, OPT_REJECTS },
		{ "shard", no_argument, NULL, OPT_SHARD },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "summary", required_argument, NULL, 'S' },
		{ "temp-dir", required_argument, NULL, OPT_TEMPDIR },
		{ "threads", required_argument, NULL, 'T' },
		{ "until", required_argument, NULL, 'u' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	/* tl(7), the interface: these letters became long-only, --outdir
	 * is --output-dir */
	static const struct tl_old_opt old[] = { { "-c", "capital" },
	    { "--outdir", "output-dir" }, { "-k", "kind" }, { "-m", "map" },
	    { "-r", "rejects" } };
	static const struct tl_getopt g = { ":c:d:e:f:hi:k:m:o:qr:S:T:u:Vv",
	    longopts, old, TL_NELEM(old) };
	struct tl_err err = { 0 };
	struct tl_source_opts so = { 0 };
	struct tl_opt_file f[1];
	const struct stage_opt *so1;
	char *eq;
	long th;
	int ch, i;

	while ((ch = tl_getopt(&g, argc, argv)) != -1) {
		if (ch >= 0 && ch < OPT_END)
			given[ch] = 1;
		switch (ch) {
		case OPT_ALIASES:
			o->aliases = optarg;
			break;
		case OPT_BTTRADES:
			o->bt_trades = bt_words[TL_PARSE_WORD(
			    "--backtest-trades", optarg, bt_names)];
			break;
		case OPT_CAPITAL:
			if (tl_parse_double("--capital", optarg, 1e-9, 1e15,
			    &o->capital, &err) == -1)
				tl_usage_error("%s: %s", err.where, err.msg);
			o->capital_set = 1;
			break;
		case 'd':
			o->outdir = optarg;
			break;
		case 'e':
			o->emit = (enum emit)TL_PARSE_WORD("--emit", optarg,
			    emit_names);
			break;
		case 'f':
			o->fmt = tl_parse_format("--format", optarg, 0);
			break;
		case OPT_FROM:
			o->from = (enum tl_src_from)TL_PARSE_WORD("--from",
			    optarg, tl_from_names);
			break;
		case 'h':
			usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case 'i':
			o->ifmt = (int)input_fmts[TL_PARSE_WORD(
			    "--input-format", optarg, input_fmts)].fmt;
			break;
		case OPT_KIND:
			o->kind = (enum tl_kind)(TL_KIND_NONE + 1 +
			    tl_parse_word("--kind", optarg, KIND_NAMES,
			    KIND_NNAMES, sizeof(KIND_NAMES[0]), NULL));
			break;
		case OPT_MAP:
			if ((eq = strchr(optarg, '=')) == NULL ||
			    eq == optarg || eq[1] == '\0')
				tl_usage_error("--map: '%s' is not NAME=RAW",
				    optarg);
			if (o->nmaps == MAX_MAPS)
				tl_usage_error("--map: more than %d", MAX_MAPS);
			*eq = '\0';
			o->map_to[o->nmaps] = optarg;
			o->map_from[o->nmaps++] = eq + 1;
			break;
		case OPT_MAPFILE:
			if (o->nmap_files == MAX_MAPFILES)
				tl_usage_error("--map-file: more than %d",
				    MAX_MAPFILES);
			o->map_files[o->nmap_files++] = optarg;
			break;
		case OPT_MAXREC:
			if (parse_size("--max-record", optarg, MAX_RECORD_MIN,
			    MAX_RECORD_MAX, &o->max_record, &err) == -1)
				tl_usage_error("%s: %s", err.where, err.msg);
			break;
		case OPT_MEMORY:
			if (parse_size("--memory", optarg, 0, MAX_RECORD_MAX,
			    &o->memory, &err) == -1)
				tl_usage_error("%s: %s", err.where, err.msg);
			o->memory_set = 1;
			break;
		case OPT_MERGE:
			o->merge = 1;
			break;
		case OPT_NOFILL:
			o->fill = 0;
			break;
		case OPT_NOPROGRESS:
			o->progress = TL_PROGRESS_OFF;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_PATH:
			o->path = optarg;
			break;
		case OPT_PATHAS:
			o->path_as = optarg;
			break;
		case OPT_PROGRESS:
			o->progress = TL_PROGRESS_ON;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case OPT_REJECTS:
			o->rejects = optarg;
			break;
		case OPT_SHARD:
			o->shard = 1;
			break;
		case OPT_STRICT:
			o->strict = 1;
			break;
		case 'S':
			o->summary = optarg;
			break;
		case OPT_TEMPDIR:
			o->temp_dir = optarg;
			break;
		case 'T':
			if (tl_parse_long("--threads", optarg, 0, 1024, &th,
			    &err) == -1)
				tl_usage_error("%s: %s", err.where, err.msg);
			o->threads = (int)th;
			break;
		case 'u':
			if (tl_time_parse(optarg, strlen(optarg), &o->until)
			    == -1)
				tl_usage_error("--until: '%s' is not a date or "
				    "an RFC 3339 time", optarg);
			if (strlen(optarg) == 10)	/* the whole day */
				o->until += MS_PER_DAY - 1;
			break;
		case 'V':
			tl_version_exit();
		case 'v':
			o->verbose = 1;
			break;
		}
	}
	so.path = o->path;
	so.path_as = o->path_as;
	if (tl_source_check_opts(&so, &err) == -1)
		tl_usage_error("%s: %s", err.where, err.msg);
	o->inputs = argv + optind;
	o->ninputs = argc - optind;
	if (o->shard && o->merge)
		tl_usage_error("--shard and --merge exclude each other");
	for (i = 0; (o->shard || o->merge) && i < (int)TL_NELEM(stage_opts);
	    i++)
		if (given[(so1 = &stage_opts[i])->ch] && so1->stage ==
		    (o->shard ? 2 : 1))
			tl_usage_error("%s: %s acts in stage %s: give it to %s",
			    o->shard ? "--shard" : "--merge", so1->name,
			    o->shard ? "two" : "one", o->shard ? "--merge" :
			    "each --shard (the shards keep it)");
	if (o->outdir != NULL && o->output != NULL)
		tl_usage_error("-d and -o exclude each other (-d writes "
		    "every output into DIR)");
	if (o->shard && o->outdir == NULL)
		tl_usage_error("--shard: -d DIR is needed: the shard is "
		    "written into DIR");
	if ((o->shard || o->merge) && o->ninputs == 0)
		tl_usage_error("%s: name the %s", o->shard ? "--shard" :
		    "--merge", o->shard ? "files or directories of the shard"
		    : "shards (directories --shard wrote)");
	for (i = 0; o->shard && i < o->ninputs; i++)
		if (strcmp(o->inputs[i], "-") == 0)
			tl_usage_error("--shard: standard input has no path to "
			    "order the merge by: name files");
	f[0] = (struct tl_opt_file){ "--aliases", o->aliases };
	tl_opt_inputs(f, TL_NELEM(f), o->inputs, o->ninputs, !o->merge &&
	    !o->shard, usage);
}

/* -f, else the -o name, else JSONL; but returns are CSV unless asked. */
static enum tl_fmt
out_fmt(const struct opts *o)
{
	size_t n;

	if (o->fmt != TL_FMT_AUTO)
		return o->fmt;
	if (o->emit != E_RETURNS)
		return TL_FMT_AUTO;
	n = o->output != NULL ? strlen(o->output) : 0;
	if ((n >= 6 && strcmp(o->output + n - 6, ".jsonl") == 0) ||
	    (n >= 5 && strcmp(o->output + n - 5, ".json") == 0))
		return TL_FMT_JSONL;
	return TL_FMT_CSV;
}

static int
open_outputs(struct state *s, struct tl_err *err)
{
	const struct opts *o = s->o;
	char *path;
	int e;

	if (o->outdir != NULL) {
		if (mkdir(o->outdir, 0777) == -1 && errno != EEXIST)
			return tl_err_set(err, TL_EX_CANTCREAT, o->outdir, 0,
			    "cannot create directory: %s", strerror(errno));
		path = tl_xmalloc(strlen(o->outdir) + 32);
		for (e = 0; e < E_NEMIT; e++) {
			sprintf(path, "%s/%s", o->outdir, dir_files[e]);
			if ((s->out[e] = tl_out_open(path, TL_FMT_AUTO,
			    err)) == NULL)
				break;
		}
		if (e == E_NEMIT && o->rejects == NULL) {
			sprintf(path, "%s/rejects.jsonl", o->outdir);
			s->rej = tl_out_open(path, TL_FMT_JSONL, err);
		}
		free(path);
		if (e < E_NEMIT || (o->rejects == NULL && s->rej == NULL))
			return -1;
	} else if ((s->out[o->emit] = tl_out_open(o->output,
	    out_fmt(o), err)) == NULL)
		return -1;
	if (o->rejects != NULL &&
	    (s->rej = tl_out_open(o->rejects, TL_FMT_JSONL, err)) == NULL)
		return -1;
	return 0;
}

/* Free the values of map m (strings) and m. */
static void
free_strings(struct tl_map *m)
{
	const char *key;
	uintptr_t v;
	size_t it, n;

	for (it = 0; tl_map_next(m, &it, &key, &n, &v);)
		free((char *)v);
	tl_map_free(m);
}

/* --backtest-trades auto: the strategies with closed trades in the
 * trade databases among the inputs, read before any file, so that a
 * backtest export read before its bot's database (backtest_results/
 * sorts first) leaves its trades of them out.  A database that cannot be
 * read here is said when it is read as an input, but one still locked
 * after the wait ends the run here: waited for again as an input, it
 * might be read then, without its strategies here.  Returns 0, or -1
 * with err. */
static int
live_strategies(struct state *s, const struct tl_walk *w,
    struct tl_err *err)
{
	char head[TL_FTDB_MAGIC_LEN];
	struct tl_ftdb *db;
	struct tl_err e;
	size_t i, n;
	FILE *fp;
	int rc = 0;

	if (s->o->from != TL_FROM_AUTO && s->o->from != TL_FROM_FREQTRADE_DB)
		return 0;
	for (i = 0; i < w->n && rc == 0; i++) {
		if (strcmp(w->paths[i], "-") == 0 ||
		    (fp = fopen(w->paths[i], "rb")) == NULL)
			continue;
		n = fread(head, 1, sizeof(head), fp);	/* its magic */
		fclose(fp);
		if (tl_source_sniff(head, n, 1, 0, 0, w->paths[i]) !=
		    TL_SRC_FT_DB)
			continue;
		if (((db = tl_ftdb_open(w->paths[i], &e)) == NULL ||
		    tl_ftdb_strategies(db, s->live, &e) == -1) &&
		    e.code == TL_EX_TEMPFAIL) {
			*err = e;
			rc = -1;
		}
		tl_ftdb_free(db);
	}
	return rc;
}

/* The files whose name says they hold signals first, the order kept
 * otherwise: a trade gains the fields of the signal that became its
 * decision when the signal is read before the trade is joined. */
static void
signals_first(struct tl_walk *w)
{
	const char *word;
	size_t i, j, n;
	char *p;

	for (i = j = 0; i < w->n; i++)
		if (tl_kind_of_name(w->paths[i], &word, &n) ==
		    TL_KIND_SIGNAL) {
			p = w->paths[i];
			memmove(w->paths + j + 1, w->paths + j,
			    (i - j) * sizeof(*w->paths));
			w->paths[j++] = p;
		}
}

static int
cmp_walk(const void *a, const void *b)
{
	return walk_cmp(*(char *const *)a, *(char *const *)b);
}

/* --shard: the files in the order the merge takes them (shard.c,
 * walk_cmp()), each once.  Returns rc, or -1 with err = TL_EX_USAGE for a
 * file named twice. */
static int
shard_order(struct tl_walk *w, int rc, struct tl_err *err)
{
	size_t i;

	if (rc == -1)
		return -1;
	if (w->n > 1)	/* an empty directory: no paths, paths NULL */
		qsort(w->paths, w->n, sizeof(*w->paths), cmp_walk);
	for (i = 1; i < w->n; i++)
		if (walk_cmp(w->paths[i - 1], w->paths[i]) == 0)
			return tl_err_set(err, TL_EX_USAGE, "--shard", 0,
			    "'%s' is named twice: a file is read once",
			    w->paths[i]);
	return 0;
}

/* The size of the shard at path (a directory or its file) in MB. */
static double
shard_mb(const char *path)
{
	char *p = shard_path(path);
	double mb = path_mb(p);

	free(p);
	return mb;
}

/* --memory's default: a quarter of the machine's memory, in
 * [MEMORY_DEFAULT_MIN, MEMORY_DEFAULT_MAX]. */
static size_t
memory_default(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	double q = pages > 0 && size > 0 ? (double)pages * (double)size / 4 :
	    0;

	if (q < (double)MEMORY_DEFAULT_MIN)
		return MEMORY_DEFAULT_MIN;
	return q > (double)MEMORY_DEFAULT_MAX ? MEMORY_DEFAULT_MAX : (size_t)q;
}

/* Stage two from temporary files (oracle.c): the inputs (mb in all) are
 * over --memory, or --memory was given and standard input is read. */
static int
bounded(const struct opts *o, const struct tl_walk *w, double mb)
{
	size_t i;

	for (i = 0; i < w->n && o->memory_set; i++)
		if (strcmp(w->paths[i], "-") == 0)
			return 1;
	return mb * 1e6 >= (double)o->memory;
}

/* What --memory leaves in the temporary directory if killed: removed by
 * the handler of the signals that end a run (cron's timeout, ^C, a
 * closed pipe), which then dies of the signal as it would have. */
static char gone_dir[PATH_MAX], gone_tmp[PATH_MAX], gone_shard[PATH_MAX];
static const int gone_sigs[] = { SIGHUP, SIGINT, SIGPIPE, SIGTERM };

static void
on_kill(int sig)
{
	if (gone_tmp[0] != '\0')
		unlink(gone_tmp);
	if (gone_shard[0] != '\0')
		unlink(gone_shard);
	if (gone_dir[0] != '\0')
		rmdir(gone_dir);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Set what the handler removes (NULL: nothing), the signals held while
 * it changes; the handler installed the first time. */
static void
gone_set(char *buf, const char *path)
{
	static int installed;
	struct sigaction sa, was;
	sigset_t all, old;
	size_t i;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	snprintf(buf, PATH_MAX, "%s", path != NULL &&
	    strlen(path) < PATH_MAX ? path : "");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (installed++)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kill;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < TL_NELEM(gone_sigs); i++)	/* ignored stays so */
		if (sigaction(gone_sigs[i], NULL, &was) == 0 &&
		    was.sa_handler != SIG_IGN)
			sigaction(gone_sigs[i], &sa, NULL);
}

/* --memory, the first half: stage one into a shard of our own, in a new
 * directory under the temporary one (*dir, new). */
static int
spill(struct state *s, struct tl_walk *w, double mb, struct tl_progress *pr,
    char **dir, struct tl_err *err)
{
	char *p;
	int rc;

	*dir = tl_xmalloc(strlen(s->o->temp_dir) + 32);
	sprintf(*dir, "%s/tl-ingest.XXXXXX", s->o->temp_dir);
	if (mkdtemp(*dir) == NULL) {
		tl_err_set(err, TL_EX_CANTCREAT, s->o->temp_dir, 0, "cannot "
		    "make a temporary directory: %s", strerror(errno));
		free(*dir);
		*dir = NULL;
		return -1;
	}
	gone_set(gone_dir, *dir);
	/* the shard grows to about 1.7 times its inputs (their raw texts
	 * and the canonical ones): only the number of partitions hangs on
	 * it, not what the oracle answers */
	if ((rc = shard_open(s, *dir, err)) == 0) {
		gone_set(gone_tmp, shard_tmp_path(s));
		rc = (s->collect = oracle_new(s->o->temp_dir, mb * 1e6 * 1.7,
		    s->o->memory, err)) == NULL ? -1 :
		    ingest_all(s, w, s->o->threads, pr, err);
	}
	memset(&s->c, 0, sizeof(s->c));	/* the merge counts */
	p = shard_path(*dir);
	gone_set(gone_shard, p);
	free(p);
	rc = shard_close(s, rc, err);
	gone_set(gone_tmp, NULL);
	return rc;
}

/* --memory, the second half: the shards at paths[0..n) (mb in all) read
 * once for what stage two needs to know of each record (oracle.c), then
 * merged, with a progress of its own. */
static int
merge_bounded(struct state *s, char *const *paths, size_t n, double mb,
    size_t *files, struct tl_err *err)
{
	struct tl_progress *pr = NULL;
	int rc = 0;

	/* our own shard was collected as it was written (spill()) */
	if ((s->orc = s->collect) != NULL)
		s->collect = NULL;
	else if ((s->orc = oracle_new(s->o->temp_dir, mb * 1e6,
	    s->o->memory, err)) == NULL)
		return -1;
	else
		rc = merge_all(s, paths, n, files, NULL, s->orc, err);
	if (rc == 0)
		rc = oracle_prepare(s->orc, err);
	if (rc == 0 && (mb > PROGRESS_MB || s->o->progress == TL_PROGRESS_ON))
		pr = tl_progress_start("join", "MB", mb, tl_progress_wanted(
		    s->o->progress, s->o->quiet));
	if (rc == 0)
		rc = merge_all(s, paths, n, files, pr, NULL, err);
	tl_progress_end(pr);
	return rc;
}

/* The temporary shard and its directory, gone. */
static void
unspill(char *dir)
{
	char *p;

	if (dir == NULL)
		return;
	p = shard_path(dir);
	unlink(p);
	rmdir(dir);
	gone_set(gone_shard, NULL);
	gone_set(gone_dir, NULL);
	free(p);
	free(dir);
}

int
main(int argc, char *argv[])
{
	struct opts o = { .capital = 100000, .emit = E_TRADES, .fill = 1,
	    .until = INT64_MAX, .max_record = MAX_RECORD_DEFAULT, .ifmt = -1,
	    .bt_trades = TL_BT_LIVE };
	struct state s;
	struct tl_err err = { 0 };
	struct tl_walk w;
	struct tl_out *summary = NULL;
	struct tl_progress *pr = NULL;
	unsigned long rows = 0, last = 0, undec = 0, unout = 0;
	int status = TL_EX_OK, e, rc = 0, big = 0;
	double mb = 0;
	size_t i, nfiles = 0;
	char *spilled = NULL;

	tl_init("tl-ingest");
	parse_args(argc, argv, &o);
	o.threads = tl_threads(o.threads, 1024);
	if (!o.memory_set)
		o.memory = memory_default();
	if (o.temp_dir == NULL && ((o.temp_dir = getenv("TMPDIR")) == NULL ||
	    *o.temp_dir == '\0'))
		o.temp_dir = "/tmp";
	memset(&s, 0, sizeof(s));
	s.o = &o;
	tl_u64map_init(&s.pend_dec);
	tl_u64map_init(&s.pend_out);
	s.sigs = tl_map_alloc();
	s.sig_of_dec = tl_map_alloc();
	s.pend_sig = tl_map_alloc();
	s.late_sigs = tl_map_alloc();
	s.strats = tl_map_alloc();
	s.capitals = tl_map_alloc();
	s.srcopts.from = o.from;
	s.srcopts.fmt = o.ifmt;
	s.srcopts.path = o.path;
	s.srcopts.path_as = o.path_as;
	s.srcopts.max = o.max_record;
	s.srcopts.max_what = "--max-record";
	s.srcopts.maps = s.maps;
	s.srcopts.bt_trades = o.bt_trades;
	s.live = tl_map_alloc();
	s.srcopts.live = s.live;
	tl_u64map_init(&s.seen);
	tl_u64map_init(&s.days);
	tl_buf_init(&s.buf);
	tl_buf_init(&s.tbuf);
	tl_jdoc_init(&s.doc);
	tl_jdoc_init(&s.cdoc);
	tl_jdoc_init(&s.tdoc);
	tl_jdoc_init(&s.sdoc);
	tl_jdoc_init(&s.mdoc);
	tl_jdoc_init(&s.fdoc);
	tl_walk_init(&w);
	tl_word_list(s.kind_list, sizeof(s.kind_list), KIND_NAMES,
	    KIND_NNAMES, sizeof(KIND_NAMES[0]));

	/* the aliases, the maps and every path are checked before an
	 * output exists */
	if (o.aliases != NULL &&
	    (s.alias = tl_alias_load(o.aliases, &err)) == NULL)
		rc = -1;
	for (i = 0; i < o.nmap_files && rc == 0; i++)
		if ((s.maps[s.srcopts.nmaps++] = tl_mapfile_load(
		    o.map_files[i], &err)) == NULL)
			rc = -1;
	for (i = 0; i < (size_t)o.ninputs && rc == 0 && !o.merge; i++)
		rc = tl_walk_add(&w, o.inputs[i], tl_warn, &err);
	if (o.ninputs == 0 && rc == 0)
		rc = tl_walk_add(&w, "-", tl_warn, &err);
	if (o.shard)
		rc = shard_order(&w, rc, &err);
	else
		signals_first(&w);
	if (rc == 0 && o.bt_trades == TL_BT_LIVE)
		rc = live_strategies(&s, &w, &err);
	if (rc == 0)
		rc = o.shard ? shard_open(&s, o.outdir, &err) :
		    open_outputs(&s, &err);
	/* opened first, so that a bad path fails before the work */
	if (rc == 0 && o.summary != NULL &&
	    (summary = tl_out_open(o.summary, TL_FMT_JSONL, &err)) == NULL)
		rc = -1;
	/* progress by files read, in MB: inputs over PROGRESS_MB */
	for (i = 0; i < w.n && rc == 0; i++)
		mb += path_mb(w.paths[i]);
	for (i = 0; o.merge && i < (size_t)o.ninputs && rc == 0; i++)
		mb += shard_mb(o.inputs[i]);
	big = !o.shard && bounded(&o, &w, mb);
	/* the dedup table sized for the inputs at once, not grown on the
	 * way (each doubling moves every key, at random) */
	if (rc == 0 && !big && !o.shard)	/* --shard has no stage two */
		tl_u64map_reserve(&s.seen, (size_t)(mb * 1e6 / RECORD_BYTES));
	if (rc == 0 && (mb > PROGRESS_MB || o.progress == TL_PROGRESS_ON) &&
	    !(big && o.merge))
		pr = tl_progress_start(o.merge ? "merge" : "ingest", "MB", mb,
		    tl_progress_wanted(o.progress, o.quiet));
	if (rc == 0 && big && !o.merge) {
		s.spill = 1;
		if ((rc = spill(&s, &w, mb, pr, &spilled, &err)) == 0)
			rc = merge_bounded(&s, &spilled, 1, shard_mb(spilled),
			    &nfiles, &err);
	} else if (rc == 0 && big)
		rc = merge_bounded(&s, o.inputs, (size_t)o.ninputs, mb,
		    &nfiles, &err);
	else if (rc == 0 && o.merge)
		rc = merge_all(&s, o.inputs, (size_t)o.ninputs, &nfiles, pr,
		    NULL, &err);
	else if (rc == 0)
		rc = ingest_all(&s, &w, o.threads, pr, &err);
	if (!o.merge)
		nfiles = w.n;
	tl_progress_end(pr);
	if (o.shard) {
		status = (rc = shard_close(&s, rc, &err)) == -1 ?
		    tl_report(&err) : TL_EX_OK;
		goto out;
	}
	if (rc == 0 && !o.merge && !s.spill)	/* else the merge's */
		count_open_positions(&s);
	if (rc == 0)
		rc = write_returns(&s, &err);
	if (rc == 0)
		rc = write_dataset(&s, &rows, &last, &err);
	/* also on error: write_unmatched() frees what is still waiting */
	rc = write_unmatched(&s, &s.pend_dec, "decision", &undec, rc, &err);
	rc = write_unmatched(&s, &s.pend_out, "outcome", &unout, rc, &err);
	if (s.orc != NULL)
		rc = write_left(&s, &undec, &unout, rc, &err);
	rc = write_unsignalled(&s, rc, &err);
	for (e = 0; e < E_NEMIT; e++) {
		if (rc == 0 && s.out[e] != NULL)
			rc = tl_out_close(s.out[e], &err);
		else
			tl_out_abort(s.out[e]);
	}
	if (rc == 0 && s.rej != NULL)
		rc = tl_out_close(s.rej, &err);
	else
		tl_out_abort(s.rej);
	if (rc == -1) {
		tl_out_abort(summary);
		status = tl_report(&err);
	} else {
		s.c.unmatched = undec;
		s.c.orphans += unout;
		warn_lost_files(&s);
		if (!o.quiet)
			print_summary(&s, rows);
		if (s.c.later > 0 && !o.quiet)
			tl_msg("left out %lu record(s) after --until",
			    s.c.later);
		if (summary != NULL && write_summary(summary, &s, nfiles, rows,
		    &err) == -1) {
			tl_out_abort(summary);
			status = tl_report(&err);
		} else if (summary != NULL && tl_out_close(summary, &err) == -1)
			status = tl_report(&err);
		else if (s.c.accepted + s.c.dups == 0)
			status = nothing_usable(&s);
		else if (o.strict && s.c.rejected > 0)
			status = TL_EX_DATAERR;
	}
out:
	(void)last;
	for (i = 0; i < s.nmap_names; i++)
		free(s.map_names[i]);
	free(s.map_names);
	for (i = 0; i < s.nruns; i++)
		free_run(&s.runs[i]);
	free(s.runs);
	tl_u64map_release(&s.seen);
	oracle_free(s.orc);
	oracle_free(s.collect);	/* a spill that failed */
	unspill(spilled);
	tl_buf_release(&s.buf);
	tl_buf_release(&s.tbuf);
	tl_jdoc_release(&s.doc);
	tl_jdoc_release(&s.cdoc);
	tl_jdoc_release(&s.tdoc);
	tl_jdoc_release(&s.sdoc);
	tl_jdoc_release(&s.mdoc);
	free_strings(s.sigs);
	free_strings(s.sig_of_dec);
	tl_map_free(s.pend_sig);
	tl_map_free(s.late_sigs);
	tl_jdoc_release(&s.fdoc);
	tl_map_free(s.strats);
	tl_u64map_release(&s.days);
	tl_u64map_release(&s.pend_out);
	tl_u64map_release(&s.pend_dec);
	tl_walk_release(&w);
	tl_alias_free(s.alias);
	for (i = 0; i < s.srcopts.nmaps; i++)
		tl_mapfile_free(s.maps[i]);
	free(s.srcs);
	tl_map_free(s.capitals);
	tl_map_free(s.live);
	free(s.capv);
	free(s.scales);
	free_tally(&s);
	return tl_exit_status(status);
}
