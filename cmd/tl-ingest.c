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
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "tl_alias.h"
#include "tl_err.h"
#include "tl_json.h"
#include "tl_kind.h"
#include "tl_jv.h"
#include "tl_map.h"
#include "tl_mapfile.h"
#include "tl_num.h"
#include "tl_opt.h"
#include "tl_out.h"
#include "tl_par.h"
#include "tl_policy.h"
#include "tl_progress.h"
#include "tl_records.h"
#include "tl_source.h"
#include "tl_time.h"
#include "tl_util.h"
#include "tl_walk.h"

#define MAX_MAPS	64	/* --map options */
#define MAX_MAPFILES	16	/* --map-file options */
#define PROGRESS_MB	100	/* inputs that draw progress on a terminal */
#define MAX_MAGNITUDE	1e15	/* |price|, |qty|, |pnl| beyond this: bad */
#define MS_PER_DAY	86400000LL
/* --max-record: a line or CSV record longer than this is rejected, read
 * past but never held; the default holds any real log line (the longest
 * of a tl-synth log is 393 bytes) and bounds the memory a broken file can
 * take.  At least 1 KiB, the start of a rejected record that is kept. */
#define MAX_RECORD_DEFAULT	((size_t)64 << 20)
#define MAX_RECORD_MIN		((size_t)1 << 10)
#define MAX_RECORD_MAX		((size_t)1 << 40)

enum emit { E_TRADES, E_DECISIONS, E_OUTCOMES, E_RUNS, E_PROMOTIONS,
	E_RETIREMENTS, E_RETURNS, E_DATASET, E_UNMATCHED, E_SIGNALS,
	E_SIGNAL_OUTCOMES, E_COUNTERFACTUALS, E_NEMIT };
static const char *const emit_names[E_NEMIT] = { "trades", "decisions",
	"outcomes",
	"runs", "promotions", "retirements", "returns", "dataset",
	"unmatched", "signals", "signal-outcomes", "counterfactuals" };

/* What -i reads. */
static const struct input_fmt {
	const char	*name;		/* the word */
	enum tl_src_fmt	 fmt;		/* the format */
} input_fmts[] = {
	{ "jsonl", TL_SRC_JSONL }, { "ndjson", TL_SRC_JSONL },
	{ "csv", TL_SRC_CSV }, { "json", TL_SRC_JSON }
};

struct opts {
	double		 capital;	/* divides net P&L into returns */
	int		 capital_set;	/* -c given: over starting balances */
	const char	*outdir;	/* -d: write every output there */
	enum emit	 emit;		/* what goes to -o/stdout */
	enum tl_fmt	 fmt;		/* format of -o/stdout */
	int		 ifmt;		/* -i: a TL_SRC_ format, or -1 */
	enum tl_src_from from;		/* --from */
	const char	*path;		/* --path */
	const char	*path_as;	/* --path-as */
	const char	*map_files[MAX_MAPFILES];	/* --map-file */
	size_t		 nmap_files;	/* their number */
	enum tl_kind	 kind;		/* forced record kind or TL_KIND_NONE */
	const char	*map_to[MAX_MAPS];	/* canonical names */
	const char	*map_from[MAX_MAPS];	/* raw names */
	size_t		 nmaps;		/* --map pairs */
	int		 fill;		/* zero-fill weekdays in returns */
	int64_t		 until;		/* -u: last ms kept, or INT64_MAX */
	const char	*output;	/* -o */
	enum tl_progress_opt progress;	/* --progress, --no-progress */
	int		 quiet;		/* -q */
	const char	*rejects;	/* --rejects */
	const char	*summary;	/* -S */
	int		 strict;	/* --strict */
	int		 verbose;	/* -v */
	const char	*aliases;	/* --aliases: old,new strategy names */
	size_t		 max_record;	/* --max-record: bytes of a record */
	int		 threads;	/* -T: 0 all cores */
	char		**inputs;	/* paths, "-" is stdin */
	int		 ninputs;	/* number of paths */
};

struct counts {
	unsigned long	 read;		/* records seen (good or bad) */
	unsigned long	 accepted;	/* valid and new */
	unsigned long	 dups;		/* identical duplicates dropped */
	unsigned long	 conflicts;	/* same id, other content */
	unsigned long	 rejected;	/* set aside, with conflicts */
	unsigned long	 joined;	/* trades written */
	unsigned long	 unmatched;	/* decisions without outcome */
	unsigned long	 orphans;	/* outcomes without decision */
	unsigned long	 kinds[TL_KIND_N];	/* accepted by kind */
	unsigned long	 later;		/* after --until, left out */
	unsigned long	 renamed;	/* accepted with a strategy renamed */
	unsigned long	 unsignalled;	/* signal outcomes and counterfactuals
					 * whose signal was never read */
};

/* What was read of one format (and map): files, records as the source
 * has them, open trades or positions skipped, records a map left out. */
struct source_count {
	enum tl_src_fmt	 fmt;		/* the format */
	const char	*map;		/* the map's name (borrowed), or NULL */
	unsigned long	 files, records, open, left_out;
};


/* A compact table from nonzero 64-bit keys to 64-bit values, 16 bytes a
 * slot at load <= 3/4.  The dedup index maps a hash of kind and id to a
 * hash of the content: two different ids share a key hash with
 * probability ~n^2/2^65 (1e-7 at 2M records), and such a record would be
 * reported as a duplicate, never dropped silently.  The daily returns map
 * (strategy number, day), exactly, to the bits of the day's net P&L. */
struct u64slot {
	uint64_t	 key;		/* 0 marks an empty slot */
	uint64_t	 val;		/* the value */
};

struct u64map {
	struct u64slot	*slot;		/* key and value side by side: one
					 * cache miss a probe */
	size_t		 mask;		/* slots - 1 */
	size_t		 n;		/* slots used */
};

/* What the dataset needs of a run, as text: its sort keys, the canonical
 * JSON of its genome and metrics (compared and copied as text), and its
 * roi and sharpe as number literals. */
struct run {
	char		*strategy;	/* raw string */
	char		*period;	/* raw string */
	char		*id;		/* raw string */
	char		*genome;	/* canonical JSON */
	char		*metrics;	/* canonical JSON */
	char		*roi;		/* canonical number */
	char		*sharpe;	/* canonical number */
};

/* What stage two needs of a canonical record without parsing it, found
 * by facts_of() (in stage one when read ahead). */
struct facts {
	uint64_t	 kh, ch;	/* hashes of its key and its text */
	const char	*jid;		/* join id: a decision's id, an
					 * outcome's decision_id, or NULL */
	size_t		 jlen;		/* its length */
	const char	*strat;		/* an outcome's strategy */
	size_t		 slen;		/* its length */
	int64_t		 day;		/* an outcome's exit day */
	double		 net;		/* its pnl - fees */
};

struct state {
	const struct opts *o;
	struct counts	 c;
	struct tl_out	*out[E_NEMIT];	/* NULL when not wanted */
	struct tl_out	*rej;		/* rejects, or NULL */
	struct u64map	 seen;		/* kind+id -> content hash */
	struct tl_map	*strats;	/* strategy name -> number */
	struct tl_map	*pend_dec;	/* decision id -> char * JSON */
	struct tl_map	*pend_out;	/* decision id -> char * JSON */
	struct tl_map	*sigs;		/* signal id -> char * JSON */
	struct tl_map	*sig_of_dec;	/* decision id -> char * signal id */
	struct tl_map	*pend_sig;	/* signal id -> char * "kJSON\n"... of
					 * the records waiting for it */
	struct tl_map	*late_sigs;	/* ids of signals after --until */
	struct u64map	 days;		/* strategy, day -> sum of net P&L */
	struct run	*runs;		/* runs read, for the dataset */
	size_t		 nruns, capruns;
	struct tl_buf	 buf;		/* canonical text of the record */
	struct tl_buf	 tbuf;		/* a trade, a key, an unmatched */
	struct tl_jdoc	 doc;		/* the input record */
	struct tl_jdoc	 cdoc;		/* its canonical text, parsed */
	struct tl_jdoc	 tdoc;		/* the waiting side of a trade */
	struct tl_jdoc	 sdoc;		/* the signal of a joined record */
	struct tl_jdoc	 fdoc;		/* a canonical record, for facts */
	struct tl_alias	*alias;		/* --aliases, or NULL */
	char		 kind_list[160];	/* "decision, ... or retirement" */
	struct tl_source_opts srcopts;	/* how inputs are read */
	struct tl_mapfile *maps[MAX_MAPFILES];	/* --map-file */
	struct source_count *srcs;	/* by format and map, as first read */
	size_t		 nsrcs;
	struct tl_map	*capitals;	/* strategy -> index + 1 in capv */
	double		*capv;		/* starting balances */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-ingest [-qv] [-d dir] [-e what] [-f format] [-i format] [-o file]\n"
"                 [-S file] [-T threads] [-u time] [--aliases file]\n"
"                 [--capital N] [--from system] [--kind kind]\n"
"                 [--map name=raw] [--map-file file] [--max-record bytes]\n"
"                 [--no-fill] [--path path] [--path-as names]\n"
"                 [--progress | --no-progress] [--rejects file] [--strict]\n"
"                 [path ...]\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nTurn raw trading logs into canonical records (see tl-ingest(1), tl(7)).\n\n"
"      --aliases=FILE    rename strategies by the old,new lines of FILE\n"
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
"  -S, --summary=FILE    write the counts as one JSON object to FILE\n"
"      --strict          exit 65 if any record was rejected\n"
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

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	enum { OPT_ALIASES = 256, OPT_CAPITAL, OPT_FROM, OPT_KIND, OPT_MAP,
	    OPT_MAPFILE, OPT_MAXREC, OPT_NOFILL, OPT_NOPROGRESS, OPT_PATH,
	    OPT_PATHAS, OPT_PROGRESS, OPT_REJECTS, OPT_STRICT };
	static const struct option longopts[] = {
		{ "aliases", required_argument, NULL, OPT_ALIASES },
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
		{ "no-fill", no_argument, NULL, OPT_NOFILL },
		{ "no-progress", no_argument, NULL, OPT_NOPROGRESS },
		{ "output", required_argument, NULL, 'o' },
		{ "path", required_argument, NULL, OPT_PATH },
		{ "path-as", required_argument, NULL, OPT_PATHAS },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "rejects", required_argument, NULL, OPT_REJECTS },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "summary", required_argument, NULL, 'S' },
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
	char *eq;
	long th;
	int ch;

	while ((ch = tl_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case OPT_ALIASES:
			o->aliases = optarg;
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
		case OPT_STRICT:
			o->strict = 1;
			break;
		case 'S':
			o->summary = optarg;
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
	if (o->outdir != NULL && o->output != NULL)
		tl_usage_error("-d and -o exclude each other (-d writes "
		    "every output into DIR)");
	so.path = o->path;
	so.path_as = o->path_as;
	if (tl_source_check_opts(&so, &err) == -1)
		tl_usage_error("%s: %s", err.where, err.msg);
	o->inputs = argv + optind;
	o->ninputs = argc - optind;
	f[0] = (struct tl_opt_file){ "--aliases", o->aliases };
	tl_opt_inputs(f, TL_NELEM(f), o->inputs, o->ninputs, 1, usage);
}

/* ---- normalisation ------------------------------------------------- */

/* A context for the field checks of one record: the parsed input and the
 * canonical JSON text being written, keys in the order of tl(7). */
#define MAX_DONE	64	/* canonical keys of one record */

struct rec {
	const struct opts *o;		/* --map */
	const struct tl_jdoc *d;	/* parsed input */
	const struct tl_jv *in;		/* its root object */
	struct tl_buf	*out;		/* canonical text being built */
	const char	*done[MAX_DONE];	/* keys written, for extras */
	size_t		 donelen[MAX_DONE];	/* their lengths */
	size_t		 ndone;		/* their number */
	const char	*name;		/* file */
	unsigned long	 line;		/* line */
	struct tl_err	*err;		/* set on failure */
	int64_t		 when;		/* event time for --until, ms */
	const struct tl_alias *alias;	/* --aliases, or NULL */
	int		 renamed;	/* a strategy name was renamed */
};

/* The input field key, or the raw field a --map names for it; NULL when
 * absent or null. */
static const struct tl_jv *
field(const struct rec *r, const char *key)
{
	const struct tl_jv *v;
	size_t i;

	if ((v = tl_jv_get(r->d, r->in, key)) == NULL)
		for (i = 0; i < r->o->nmaps && v == NULL; i++)
			if (strcmp(r->o->map_to[i], key) == 0)
				v = tl_jv_get(r->d, r->in, r->o->map_from[i]);
	return v != NULL && v->type != TL_JNULL ? v : NULL;
}

static void
put_key(struct rec *r, const char *key)
{
	size_t n = strlen(key);

	tl_buf_addc(r->out, r->out->len > 0 ? ',' : '{');
	tl_jv_append_string(r->out, key, n);
	tl_buf_addc(r->out, ':');
	if (r->ndone < MAX_DONE) {
		r->donelen[r->ndone] = n;
		r->done[r->ndone++] = key;
	}
}

static int
missing(struct rec *r, const char *key)
{
	return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
	    "field '%s': missing", key);
}

static int
wrong(struct rec *r, const char *key, const char *want,
    const struct tl_jv *v)
{
	return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
	    "field '%s': expected %s, got %s", key, want, tl_jv_typename(v));
}

/* An integer number literal as text, or -1. */
static int
int_text(const struct tl_jv *v, char *buf, size_t size)
{
	if (v->type != TL_JNUM || memchr(v->s, '.', v->len) != NULL ||
	    memchr(v->s, 'e', v->len) != NULL ||
	    memchr(v->s, 'E', v->len) != NULL || v->len >= size)
		return -1;
	memcpy(buf, v->s, v->len);
	buf[v->len] = '\0';
	return 0;
}

/* id-like field: a non-empty string or an integer, written as a string
 * under outkey. */
static int
get_id(struct rec *r, const char *key, const char *outkey, int required)
{
	const struct tl_jv *v = field(r, key);
	char num[64];

	if (v == NULL)
		return required ? missing(r, key) : 0;
	if (int_text(v, num, sizeof(num)) == 0) {
		put_key(r, outkey);
		tl_jv_append_string(r->out, num, strlen(num));
		return 1;
	}
	if (v->type != TL_JSTR)
		return wrong(r, key, "string or integer", v);
	if (v->len == 0)
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field '%s': empty", key);
	put_key(r, outkey);
	tl_jv_append_string(r->out, v->s, v->len);
	return 1;
}

/* A timestamp, written as UTC RFC 3339 under outkey; with date_ok a bare
 * date ("2026-01-31", as a run's start and end) stays a date. */
static int
get_time(struct rec *r, const char *key, const char *outkey, int required,
    int date_ok, int64_t *ms)
{
	const struct tl_jv *v = field(r, key);
	char buf[TL_TIME_BUFSZ], num[TL_NUM_BUFSZ];

	if (v == NULL)
		return required ? missing(r, key) : 0;
	if (v->type == TL_JNUM) {
		if (tl_time_from_epoch(v->num, ms) == -1) {
			tl_fmt_double(num, v->num);
			return tl_err_set(r->err, TL_EX_DATAERR, r->name,
			    r->line, "field '%s': %s is not a time in epoch "
			    "seconds or milliseconds (years 1-9999)", key,
			    num);
		}
	} else if (v->type != TL_JSTR)
		return wrong(r, key, "timestamp", v);
	else if (tl_time_parse(v->s, v->len, ms) == -1)
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field '%s': '%.*s' is not an RFC 3339 timestamp", key,
		    (int)(v->len < 64 ? v->len : 64), v->s);
	put_key(r, outkey);
	if (date_ok && v->type == TL_JSTR && v->len == 10)
		tl_jv_append_string(r->out, v->s, v->len);
	else {
		tl_time_format(buf, *ms);
		tl_jv_append_string(r->out, buf, strlen(buf));
	}
	return 1;
}

static int
get_num(struct rec *r, const char *key, int required, double lo, double hi,
    double *x)
{
	const struct tl_jv *v = field(r, key);
	char num[TL_NUM_BUFSZ];

	if (v == NULL)
		return required ? missing(r, key) : 0;
	if (v->type != TL_JNUM)
		return wrong(r, key, "number", v);
	*x = v->num;
	if (*x < lo || *x > hi) {
		tl_fmt_double(num, *x);
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field '%s': %s is out of range [%g, %g]", key, num, lo,
		    hi);
	}
	put_key(r, key);
	tl_jv_append(r->out, r->d, v);
	return 1;
}

/* The string of v without blanks around it. */
static void
trim(const struct tl_jv *v, const char **s, size_t *n)
{
	*s = v->s;
	*n = v->len;
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* How get_name() writes a name. */
enum { NAME_UPPER = 1, NAME_RENAME = 2 };

/* A name-like string, or an integer taken as its digits: trimmed;
 * upper-cased with NAME_UPPER; with NAME_RENAME, the name --aliases gives
 * it. */
static int
get_name(struct rec *r, const char *key, int required, int how)
{
	const struct tl_jv *v = field(r, key);
	char num[64], *t = NULL;
	const char *s;
	size_t n, i;

	if (v == NULL)
		return required ? missing(r, key) : 0;
	if (v->type == TL_JNUM) {	/* symbol 7203 */
		if (int_text(v, num, sizeof(num)) == -1)
			return wrong(r, key, "string or integer", v);
		s = num;
		n = strlen(num);
	} else if (v->type != TL_JSTR)
		return wrong(r, key, "string", v);
	else
		trim(v, &s, &n);
	if (n == 0)
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field '%s': empty", key);
	if (how & NAME_UPPER) {
		s = t = tl_xstrndup(s, n);
		for (i = 0; i < n; i++)
			if (t[i] >= 'a' && t[i] <= 'z')
				t[i] -= 'a' - 'A';
	}
	if ((how & NAME_RENAME) && r->alias != NULL &&
	    tl_alias_get(r->alias, s, n, &s, &n))
		r->renamed = 1;
	put_key(r, key);
	tl_jv_append_string(r->out, s, n);
	free(t);
	return 1;
}

/* One of a set of words, any case, blanks around ignored; alias[i] maps
 * to canon[i]. */
static int
get_word(struct rec *r, const char *key, int required, const char **alias,
    const char **canon, const char *expect)
{
	const struct tl_jv *v = field(r, key);
	const char *s;
	size_t n;
	int i;

	if (v == NULL)
		return required ? missing(r, key) : 0;
	if (v->type != TL_JSTR)
		return wrong(r, key, "string", v);
	trim(v, &s, &n);
	for (i = 0; alias[i] != NULL; i++)
		if (strlen(alias[i]) == n && strncasecmp(s, alias[i], n) == 0) {
			put_key(r, key);
			tl_jv_append_string(r->out, canon[i],
			    strlen(canon[i]));
			return 1;
		}
	return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
	    "field '%s': expected %s, got '%.*s'", key, expect,
	    (int)(v->len < 64 ? v->len : 64), v->s);
}

/* An object whose members are numbers (booleans become 1/0 when bools). */
static int
get_numobj(struct rec *r, const char *key, int bools)
{
	const struct tl_jv *v = field(r, key), *m;
	size_t mark;
	int first = 1;

	if (v == NULL)
		return 0;
	if (v->type != TL_JOBJ)
		return wrong(r, key, "object", v);
	mark = r->out->len;
	put_key(r, key);
	tl_buf_addc(r->out, '{');
	for (m = tl_jv_child(r->d, v); m != NULL; m = tl_jv_next(r->d, v, m)) {
		if (m->type != TL_JNUM && !(bools && (m->type == TL_JTRUE ||
		    m->type == TL_JFALSE))) {
			r->out->len = mark;
			return tl_err_set(r->err, TL_EX_DATAERR, r->name,
			    r->line, "field '%s.%.*s': expected number, got "
			    "%s", key, (int)(m->keylen < 64 ? m->keylen : 64),
			    m->key, tl_jv_typename(m));
		}
		if (!first)
			tl_buf_addc(r->out, ',');
		first = 0;
		tl_jv_append_string(r->out, m->key, m->keylen);
		tl_buf_addc(r->out, ':');
		if (m->type == TL_JNUM)
			tl_jv_append(r->out, r->d, m);
		else
			tl_buf_addc(r->out, m->type == TL_JTRUE ? '1' : '0');
	}
	tl_buf_addc(r->out, '}');
	return 1;
}

static int
get_obj(struct rec *r, const char *key, int required)
{
	const struct tl_jv *v = field(r, key);

	if (v == NULL)
		return required ? missing(r, key) : 0;
	if (v->type != TL_JOBJ)
		return wrong(r, key, "object", v);
	put_key(r, key);
	tl_jv_append(r->out, r->d, v);
	return 1;
}

static int
was_written(const struct rec *r, const char *key, size_t n)
{
	size_t i;

	for (i = 0; i < r->ndone; i++)
		if (r->donelen[i] == n && r->done[i][0] == key[0] &&
		    memcmp(r->done[i], key, n) == 0)
			return 1;
	return 0;
}

/* Keep the fields we do not know, after the canonical ones; a field read
 * through --map was written under its canonical name. */
static void
keep_extras(struct rec *r)
{
	const struct tl_jv *c;
	size_t i;

	for (c = tl_jv_child(r->d, r->in); c != NULL;
	    c = tl_jv_next(r->d, r->in, c)) {
		if (was_written(r, c->key, c->keylen))
			continue;
		/* a raw field whose value went out under its --map name */
		for (i = 0; i < r->o->nmaps; i++)
			if (strlen(r->o->map_from[i]) == c->keylen &&
			    memcmp(r->o->map_from[i], c->key, c->keylen) == 0 &&
			    tl_jv_get(r->d, r->in, r->o->map_to[i]) == NULL &&
			    was_written(r, r->o->map_to[i],
			    strlen(r->o->map_to[i])))
				break;
		if (i < r->o->nmaps)
			continue;
		tl_buf_addc(r->out, r->out->len > 0 ? ',' : '{');
		tl_jv_append_string(r->out, c->key, c->keylen);
		tl_buf_addc(r->out, ':');
		tl_jv_append(r->out, r->d, c);
	}
	if (r->out->len == 0)
		tl_buf_addc(r->out, '{');
	tl_buf_addc(r->out, '}');
}

static const char *action_alias[] = { "buy", "long", "sell", "short",
	"hold", "flat", "none", NULL };
static const char *action_canon[] = { "buy", "buy", "sell", "sell",
	"hold", "hold", "hold" };
static const char *side_alias[] = { "long", "buy", "short", "sell", NULL };
static const char *side_canon[] = { "long", "long", "short", "short" };

/* What a decision and a signal begin with: id, ts (the event time),
 * symbol and strategy. */
static int
event_head(struct rec *r)
{
	return get_id(r, "id", "id", 1) == -1 ||
	    get_time(r, "ts", "ts", 1, 0, &r->when) == -1 ||
	    get_name(r, "symbol", 1, NAME_UPPER) == -1 ||
	    get_name(r, "strategy", 1, NAME_RENAME) == -1 ? -1 : 0;
}

/* The score in [0, 1] under key, then components and signals. */
static int
score_parts(struct rec *r, const char *key, int required)
{
	double x;

	return get_num(r, key, required, 0, 1, &x) == -1 ||
	    get_numobj(r, "components", 0) == -1 ||
	    get_numobj(r, "signals", 1) == -1 ? -1 : 0;
}

static int
norm_decision(struct rec *r)
{
	if (event_head(r) == -1 ||
	    get_word(r, "action", 1, action_alias, action_canon,
	    "buy, sell or hold") == -1 ||
	    score_parts(r, "confidence", 0) == -1 ||
	    get_obj(r, "votes", 0) == -1 ||
	    get_name(r, "regime", 0, 0) == -1)
		return -1;
	keep_extras(r);
	return 0;
}

/* A boolean, written as it is; *b gets it. */
static int
get_bool(struct rec *r, const char *key, int required, int *b)
{
	const struct tl_jv *v = field(r, key);

	if (v == NULL)
		return required ? missing(r, key) : 0;
	if (v->type != TL_JTRUE && v->type != TL_JFALSE)
		return wrong(r, key, "boolean", v);
	*b = v->type == TL_JTRUE;
	put_key(r, key);
	tl_buf_adds(r->out, *b ? "true" : "false");
	return 1;
}

/* The fields a closed trade and a counterfactual share, from strategy
 * to exit_reason (fees required when fees_req); the event time is the
 * exit. */
static int
trade_fields(struct rec *r, int fees_req)
{
	int64_t entry, exit;
	double x;
	int has_entry;

	if (get_name(r, "strategy", 1, NAME_RENAME) == -1 ||
	    get_name(r, "symbol", 1, NAME_UPPER) == -1 ||
	    get_word(r, "side", 0, side_alias, side_canon,
	    "long or short") == -1 ||
	    (has_entry = get_time(r, "entry_ts", "entry_ts", 0, 0,
	    &entry)) == -1 ||
	    get_time(r, "exit_ts", "exit_ts", 1, 0, &exit) == -1 ||
	    get_num(r, "entry_price", 0, 0, MAX_MAGNITUDE, &x) == -1 ||
	    get_num(r, "exit_price", 0, 0, MAX_MAGNITUDE, &x) == -1 ||
	    get_num(r, "qty", 0, -MAX_MAGNITUDE, MAX_MAGNITUDE, &x) == -1 ||
	    get_num(r, "pnl", 1, -MAX_MAGNITUDE, MAX_MAGNITUDE, &x) == -1 ||
	    get_num(r, "fees", fees_req, -MAX_MAGNITUDE, MAX_MAGNITUDE,
	    &x) == -1 ||
	    get_num(r, "slippage", 0, 0, MAX_MAGNITUDE, &x) == -1 ||
	    get_num(r, "mfe", 0, -MAX_MAGNITUDE, MAX_MAGNITUDE, &x) == -1 ||
	    get_num(r, "mae", 0, -MAX_MAGNITUDE, MAX_MAGNITUDE, &x) == -1 ||
	    get_name(r, "exit_reason", 0, 0) == -1)
		return -1;
	if (has_entry && exit < entry)
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field 'exit_ts': before entry_ts");
	r->when = exit;
	return 0;
}

static int
norm_outcome(struct rec *r)
{
	if (get_id(r, "id", "id", 1) == -1 ||
	    get_id(r, "decision_id", "decision_id", 0) == -1 ||
	    trade_fields(r, 0) == -1)
		return -1;
	keep_extras(r);
	return 0;
}

static int
norm_signal(struct rec *r)
{
	double x;
	int executed = 0, blocked;

	if (event_head(r) == -1 ||
	    get_word(r, "side", 1, side_alias, side_canon,
	    "long or short") == -1 ||
	    score_parts(r, "conviction", 1) == -1 ||
	    get_bool(r, "executed", 1, &executed) == -1 ||
	    (blocked = get_name(r, "blocked_by", 0, 0)) == -1 ||
	    get_id(r, "decision_id", "decision_id", 0) == -1 ||
	    get_name(r, "regime", 0, 0) == -1 ||
	    get_num(r, "expected_edge", 0, -MAX_MAGNITUDE, MAX_MAGNITUDE,
	    &x) == -1 ||
	    get_name(r, "venue", 0, 0) == -1)
		return -1;
	if (executed && blocked)
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field 'blocked_by': an executed signal was not blocked");
	keep_extras(r);
	return 0;
}

/* A horizon: a duration (tl_dur_parse) or a number of seconds in (0,
 * 1e9], written in the largest unit that divides it ("15m"). */
static int
get_horizon(struct rec *r, const char *key)
{
	const struct tl_jv *v = field(r, key);
	char buf[TL_DUR_BUFSZ];
	double sec = 0;
	int n;

	if (v == NULL)
		return missing(r, key);
	if (v->type == TL_JNUM)
		sec = v->num;
	else if (v->type != TL_JSTR)
		return wrong(r, key, "duration", v);
	else if (tl_dur_parse(v->s, v->len, &sec) == -1)
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field '%s': '%.*s' is not a duration (1m, 15m, 1h, 1d "
		    "or seconds)", key, (int)(v->len < 64 ? v->len : 64),
		    v->s);
	if (!(sec > 0) || sec > 1e9) {
		tl_fmt_double(buf, sec);
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field '%s': %s is not a number of seconds in (0, 1e9]",
		    key, buf);
	}
	put_key(r, key);
	n = tl_dur_format(buf, sec);
	tl_jv_append_string(r->out, buf, (size_t)n);
	return 1;
}

/* A signal outcome has no time of its own: it is known at its signal's
 * time plus its horizon, which the join checks against --until. */
static int
norm_signal_outcome(struct rec *r)
{
	double x;
	int hit;

	if (get_id(r, "signal_id", "signal_id", 1) == -1 ||
	    get_horizon(r, "horizon") == -1 ||
	    get_num(r, "move", 1, -MAX_MAGNITUDE, MAX_MAGNITUDE, &x) == -1 ||
	    get_bool(r, "hit", 1, &hit) == -1 ||
	    get_num(r, "ev", 1, -MAX_MAGNITUDE, MAX_MAGNITUDE, &x) == -1 ||
	    get_name(r, "fee_model", 0, 0) == -1 ||
	    get_num(r, "cost", 0, 0, MAX_MAGNITUDE, &x) == -1)
		return -1;
	keep_extras(r);
	return 0;
}

static int
norm_counterfactual(struct rec *r)
{
	int cf = 0;

	if (get_id(r, "id", "id", 1) == -1 ||
	    get_id(r, "signal_id", "signal_id", 1) == -1 ||
	    get_bool(r, "counterfactual", 1, &cf) == -1)
		return -1;
	if (!cf)
		return tl_err_set(r->err, TL_EX_DATAERR, r->name, r->line,
		    "field 'counterfactual': false (a realized trade is an "
		    "outcome: --kind outcome)");
	if (trade_fields(r, 1) == -1)
		return -1;
	keep_extras(r);
	return 0;
}

static int
norm_run(struct rec *r)
{
	const struct tl_jv *m;
	int64_t ms = INT64_MIN;

	/* known when it ended (else started); with neither, always kept */
	if (get_id(r, "id", "id", 1) == -1 ||
	    get_name(r, "kind", 0, 0) == -1 ||
	    get_name(r, "strategy", 1, NAME_RENAME) == -1 ||
	    get_id(r, "period", "period", 1) == -1 ||
	    get_time(r, "start", "start", 0, 1, &r->when) == -1 ||
	    get_time(r, "end", "end", 0, 1, &ms) == -1 ||
	    get_obj(r, "genome", 1) == -1 ||
	    get_numobj(r, "metrics", 1) == -1)
		return -1;
	if ((m = field(r, "metrics")) == NULL)
		return missing(r, "metrics");
	if ((m = tl_jv_get(r->d, m, "roi")) == NULL || m->type != TL_JNUM)
		return m == NULL ? missing(r, "metrics.roi") :
		    wrong(r, "metrics.roi", "number", m);
	if ((m = tl_jv_get(r->d, field(r, "metrics"), "sharpe")) == NULL ||
	    m->type != TL_JNUM)
		return m == NULL ? missing(r, "metrics.sharpe") :
		    wrong(r, "metrics.sharpe", "number", m);
	if (ms != INT64_MIN)
		r->when = ms;
	keep_extras(r);
	return 0;
}

/* The event time: ts, else the field alt (promoted_at, retired_at), both
 * written as ts.  alt is then not kept as an extra field. */
static int
get_ts_or(struct rec *r, const char *alt)
{
	if (field(r, "ts") != NULL || field(r, alt) == NULL)
		return get_time(r, "ts", "ts", 1, 0, &r->when);
	if (get_time(r, alt, "ts", 1, 0, &r->when) == -1)
		return -1;
	if (r->ndone < MAX_DONE) {
		r->donelen[r->ndone] = strlen(alt);
		r->done[r->ndone++] = alt;
	}
	return 1;
}

static int
norm_promotion(struct rec *r)
{
	if (get_name(r, "strategy", 1, NAME_RENAME) == -1 ||
	    get_ts_or(r, "promoted_at") == -1 ||
	    get_id(r, "run_id", "run_id", 0) == -1 ||
	    get_numobj(r, "in_sample", 0) == -1)
		return -1;
	keep_extras(r);
	return 0;
}

static int
norm_retirement(struct rec *r)
{
	if (get_name(r, "strategy", 1, NAME_RENAME) == -1 ||
	    get_ts_or(r, "retired_at") == -1 ||
	    get_name(r, "reason", 0, 0) == -1 ||
	    get_name(r, "replaced_by", 0, NAME_RENAME) == -1)
		return -1;
	keep_extras(r);
	return 0;
}

/* ---- kinds -------------------------------------------------------------- */

/* A record's kind is given by the first of these rules that applies: the
 * fields that make a record unambiguous first, then the file's name, then
 * single telling fields (tl-ingest(1), INPUT, has the same table).  A
 * rule applies when every field of has is there (not null) and, with is,
 * the field is[0] is the string is[1] in any case. */
static const struct kind_rule {
	const char	*why;		/* the rule in a reject's reason */
	enum tl_kind	 kind;		/* the kind it gives */
	int		 by_name;	/* 1: the file name's word decides */
	const char	*has[3];	/* fields that must be there */
	const char	*is[2];		/* a field and its value, or NULL */
} kind_rules[] = {
	/* a counterfactual has a closed trade's fields: its mark first,
	 * whatever its value, so that none is ever taken for a trade */
	{ "field 'counterfactual'", TL_KIND_COUNTERFACTUAL, 0,
	    { "counterfactual" }, { NULL } },
	{ "fields 'signal_id' and 'horizon'", TL_KIND_SIGNAL_OUTCOME, 0,
	    { "signal_id", "horizon" }, { NULL } },
	{ "fields 'conviction' and 'executed'", TL_KIND_SIGNAL, 0,
	    { "conviction", "executed" }, { NULL } },
	{ "fields 'pnl' and 'exit_ts'", TL_KIND_OUTCOME, 0,
	    { "pnl", "exit_ts" }, { NULL } },
	{ "fields 'genome' and 'metrics'", TL_KIND_RUN, 0,
	    { "genome", "metrics" }, { NULL } },
	{ "field 'retired_at'", TL_KIND_RETIREMENT, 0,
	    { "retired_at" }, { NULL } },
	{ "'status' is 'retired', with 'strategy' and 'ts'",
	    TL_KIND_RETIREMENT, 0, { "strategy", "ts" },
	    { "status", "retired" } },
	{ "'event' is 'retire', with 'strategy' and 'ts'",
	    TL_KIND_RETIREMENT, 0, { "strategy", "ts" },
	    { "event", "retire" } },
	{ NULL, TL_KIND_NONE, 1, { NULL }, { NULL } },
	{ "field 'genome'", TL_KIND_RUN, 0, { "genome" }, { NULL } },
	{ "field 'pnl'", TL_KIND_OUTCOME, 0, { "pnl" }, { NULL } },
	{ "field 'exit_ts'", TL_KIND_OUTCOME, 0, { "exit_ts" }, { NULL } },
	{ "field 'action'", TL_KIND_DECISION, 0, { "action" }, { NULL } },
	{ "field 'promoted_at'", TL_KIND_PROMOTION, 0, { "promoted_at" },
	    { NULL } },
	{ "fields 'strategy' and 'in_sample'", TL_KIND_PROMOTION, 0,
	    { "strategy", "in_sample" }, { NULL } },
	{ "field 'horizon'", TL_KIND_SIGNAL_OUTCOME, 0, { "horizon" },
	    { NULL } },
	{ "field 'executed'", TL_KIND_SIGNAL, 0, { "executed" }, { NULL } }
};

/* What a file's name (or --kind) says of its records. */
struct file_kind {
	enum tl_kind	 kind;		/* TL_KIND_NONE: nothing certain */
	int		 forced;	/* by --kind: no rule is tried */
	char		 why[96];	/* "file name word 'runs'", "--kind" */
};

static void
file_kind(struct file_kind *fk, const struct opts *o, const char *path)
{
	const char *word;
	size_t n;

	fk->forced = o->kind != TL_KIND_NONE;
	if (fk->forced) {
		fk->kind = o->kind;
		snprintf(fk->why, sizeof(fk->why), "--kind");
		return;
	}
	fk->kind = strcmp(path, "-") == 0 ? TL_KIND_NONE :
	    tl_kind_of_name(path, &word, &n);
	if (fk->kind != TL_KIND_NONE)
		snprintf(fk->why, sizeof(fk->why), "file name word '%.*s'",
		    (int)(n < 64 ? n : 64), word);
}

static int
rule_applies(const struct rec *r, const struct kind_rule *k)
{
	const struct tl_jv *v;
	size_t i;

	/* the value first: it is the rare part, so most records fail at it */
	if (k->is[0] != NULL && ((v = field(r, k->is[0])) == NULL ||
	    v->type != TL_JSTR || v->len != strlen(k->is[1]) ||
	    strncasecmp(v->s, k->is[1], v->len) != 0))
		return 0;
	for (i = 0; i < TL_NELEM(k->has) && k->has[i] != NULL; i++)
		if (field(r, k->has[i]) == NULL)
			return 0;
	return 1;
}

/* The kind of the record in r, and *why the rule that gave it (borrowed:
 * static, or fk's); TL_KIND_NONE and *why NULL when no rule applies. */
static enum tl_kind
kind_of(const struct rec *r, const struct file_kind *fk, const char **why)
{
	size_t i;

	*why = fk->kind != TL_KIND_NONE ? fk->why : NULL;
	if (fk->forced)
		return fk->kind;
	for (i = 0; i < TL_NELEM(kind_rules); i++) {
		if (kind_rules[i].by_name) {
			if (fk->kind != TL_KIND_NONE)
				return fk->kind;
		} else if (rule_applies(r, &kind_rules[i])) {
			*why = kind_rules[i].why;
			return kind_rules[i].kind;
		}
	}
	*why = NULL;
	return TL_KIND_NONE;
}

/* What checks each kind, where it goes and the fields that name one
 * record of it (its de-duplication key; the first names it in messages).
 * Its name in the summary is that of its output.  A record that is
 * joined with its signal goes out when joined, else unmatched.  Stage
 * two parses the canonical text of a kind kept (runs, signals) or joined
 * with its signal; of the others it reads the facts found in stage one. */
static const struct kind_ops {
	int		(*norm)(struct rec *);	/* check and normalise */
	enum emit	 emit;		/* its output */
	const char	*key[2];	/* key fields */
	int		 by_signal;	/* written joined with its signal */
	int		 parsed;	/* stage two reads more of it than
					 * its facts */
} kind_ops[TL_KIND_N] = {
	[TL_KIND_DECISION] = { norm_decision, E_DECISIONS, { "id" } },
	[TL_KIND_OUTCOME] = { norm_outcome, E_OUTCOMES, { "id" } },
	[TL_KIND_RUN] = { norm_run, E_RUNS, { "id" }, 0, 1 },
	[TL_KIND_PROMOTION] = { norm_promotion, E_PROMOTIONS,
	    { "strategy", "ts" } },
	[TL_KIND_RETIREMENT] = { norm_retirement, E_RETIREMENTS,
	    { "strategy", "ts" } },
	[TL_KIND_SIGNAL] = { norm_signal, E_SIGNALS, { "id" }, 0, 1 },
	[TL_KIND_SIGNAL_OUTCOME] = { norm_signal_outcome, E_SIGNAL_OUTCOMES,
	    { "signal_id", "horizon" }, 1, 1 },
	[TL_KIND_COUNTERFACTUAL] = { norm_counterfactual, E_COUNTERFACTUALS,
	    { "id" }, 1, 1 }
};

/* ---- outputs ---------------------------------------------------------- */

/* Set a record aside.  Its reason is why's message and, when its kind is
 * known, the rule that gave it: "(kind run: file name word 'runs')".  The
 * raw text is kept exactly: as "raw" when it is valid UTF-8 without NUL,
 * else as "raw_hex"; full is the length of the record, more than n when
 * raw is only its start. */
static int
reject(struct state *s, const char *file, unsigned long line, enum tl_kind k,
    const char *rule, struct tl_err *why, const char *raw, size_t n,
    size_t full, struct tl_err *err)
{
	static const char hex[] = "0123456789abcdef";
	json_t *r, *v;
	char *h;
	size_t i;
	int rc;

	s->c.rejected++;
	if (k != TL_KIND_NONE && rule != NULL)
		tl_err_set(why, why->code, why->where, 0, "%s (kind %s: %s)",
		    why->msg, tl_kind_names[k], rule);
	if (s->o->verbose)
		tl_warn("%s: %s", why->where, why->msg);
	if (s->rej == NULL)
		return 0;
	r = json_object();
	json_object_set_new(r, "file", json_string(file));
	json_object_set_new(r, "line", json_integer((json_int_t)line));
	json_object_set_new(r, "kind", json_string(tl_kind_names[k]));
	json_object_set_new(r, "reason", json_string(why->msg));
	if (tl_utf8_valid(raw, n) && (v = json_stringn(raw, n)) != NULL)
		json_object_set_new(r, "raw", v);
	else {
		h = tl_xmalloc(2 * n + 1);
		for (i = 0; i < n; i++) {
			h[2 * i] = hex[(unsigned char)raw[i] >> 4];
			h[2 * i + 1] = hex[(unsigned char)raw[i] & 15];
		}
		json_object_set_new(r, "raw_hex", json_stringn(h, 2 * n));
		free(h);
	}
	if (full > n)	/* raw holds the start of a record too long */
		json_object_set_new(r, "raw_length",
		    json_integer((json_int_t)full));
	rc = tl_out_write(s->rej, r, err);
	json_decref(r);
	return rc;
}

/* Slot where the probe for key starts (the keys of the day map are not
 * hashes, so mix them). */
static size_t
u64map_slot(const struct u64map *t, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & t->mask;
}

static void
u64map_grow(struct u64map *t)
{
	struct u64slot *old = t->slot;
	size_t i, j, n = t->slot == NULL ? 0 : t->mask + 1;

	t->mask = n == 0 ? 4095 : 2 * n - 1;
	t->slot = tl_xcalloc(t->mask + 1, sizeof(*t->slot));
	for (i = 0; i < n; i++) {
		if (old[i].key == 0)
			continue;
		for (j = u64map_slot(t, old[i].key); t->slot[j].key != 0;
		    j = (j + 1) & t->mask)
			;
		t->slot[j] = old[i];
	}
	free(old);
}

/* The value slot of key (nonzero), added with value 0 if new. */
static uint64_t *
u64map_put(struct u64map *t, uint64_t key, int *added)
{
	size_t i;

	/* load at most 3/4: linear probing stays short (about 8 probes to
	 * miss at the worst), and the table is a third smaller than at 1/2 */
	if (4 * (t->n + 1) > 3 * (t->slot == NULL ? 0 : t->mask + 1))
		u64map_grow(t);
	*added = 0;
	for (i = u64map_slot(t, key); t->slot[i].key != 0;
	    i = (i + 1) & t->mask)
		if (t->slot[i].key == key)
			return &t->slot[i].val;
	t->slot[i].key = key;
	t->slot[i].val = 0;
	t->n++;
	*added = 1;
	return &t->slot[i].val;
}

/* The key of the days map: strategy number (1-based, order of first
 * appearance) and day, which day_of() and strategy_of() give back. */
static uint64_t
day_key(uint64_t strategy, int64_t day)
{
	return strategy << 32 | (uint32_t)(day + ((int64_t)1 << 31));
}

static int64_t
day_of(uint64_t key)
{
	return (int64_t)(key & 0xffffffffULL) - ((int64_t)1 << 31);
}

static size_t
strategy_of(uint64_t key)
{
	return (size_t)(key >> 32);
}

static void
add_return(struct state *s, const struct facts *fx)
{
	uintptr_t *num;
	uint64_t *slot;
	double sum;
	int added;

	num = tl_map_put(s->strats, fx->strat, fx->slen, &added);
	if (added)
		*num = tl_map_count(s->strats);
	slot = u64map_put(&s->days, day_key(*num, fx->day), &added);
	memcpy(&sum, slot, sizeof(sum));	/* new slots hold 0 = +0.0 */
	sum += fx->net;
	memcpy(slot, &sum, sizeof(sum));
}

/* Write a record given as compact JSON text (no newline). */
static int
emit_text(struct state *s, enum emit e, const char *text, size_t n,
    struct tl_err *err)
{
	json_t *v;
	int rc;

	if (s->out[e] == NULL)
		return 0;
	if (tl_out_fmt(s->out[e]) == TL_FMT_JSONL)
		return tl_out_raw(s->out[e], text, n, err) == -1 ||
		    tl_out_raw(s->out[e], "\n", 1, err) == -1 ? -1 : 0;
	v = json_loadb(text, n, 0, NULL);	/* ours: valid */
	rc = tl_out_write(s->out[e], v, err);
	json_decref(v);
	return rc;
}

/* An unmatched decision or outcome, tagged with its kind. */
static int
emit_unmatched(struct state *s, const char *kind, const char *text,
    struct tl_err *err)
{
	struct tl_buf *b = &s->tbuf;

	tl_buf_reset(b);
	tl_buf_adds(b, "{\"kind\":");
	tl_jv_append_string(b, kind, strlen(kind));
	tl_buf_addc(b, ',');
	tl_buf_adds(b, text + 1);	/* text is an object with keys */
	return emit_text(s, E_UNMATCHED, b->data, b->len, err);
}

/* The trade being written: keys so far, so that extras never repeat. */
struct trade {
	struct tl_buf	*b;		/* the text */
	const char	*keys[MAX_DONE];	/* keys written */
	size_t		 lens[MAX_DONE];	/* their lengths */
	size_t		 n;		/* their number */
};

static int
trade_has(const struct trade *t, const char *key, size_t n)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->lens[i] == n && memcmp(t->keys[i], key, n) == 0)
			return 1;
	return 0;
}

static void
trade_key(struct trade *t, const char *key, size_t n)
{
	tl_buf_addc(t->b, t->b->len > 0 ? ',' : '{');
	tl_jv_append_string(t->b, key, n);
	tl_buf_addc(t->b, ':');
	if (t->n < MAX_DONE) {
		t->keys[t->n] = key;
		t->lens[t->n++] = n;
	}
}

/* Copy member key of root (if present) under the name out. */
static void
trade_copy(struct trade *t, const struct tl_jdoc *d, const char *key,
    const char *out)
{
	const struct tl_jv *v;

	if ((v = tl_jv_get(d, &d->v[0], key)) == NULL)
		return;
	trade_key(t, out, strlen(out));
	tl_jv_append(t->b, d, v);
}

static void
trade_num(struct trade *t, const char *key, double x)
{
	char num[TL_NUM_BUFSZ];
	int n;

	trade_key(t, key, strlen(key));
	n = tl_fmt_double(num, x);
	tl_buf_add(t->b, num, (size_t)n);
}

/* Copy the members keys[] (NULL-ended) of d. */
static void
trade_copy_all(struct trade *t, const struct tl_jdoc *d,
    const char *const *keys)
{
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		trade_copy(t, d, keys[i], keys[i]);
}

/* Copy the members of d that t does not have yet, but skip[] (NULL-ended
 * or NULL). */
static void
trade_extras(struct trade *t, const struct tl_jdoc *d,
    const char *const *skip)
{
	const struct tl_jv *root = &d->v[0], *v;
	size_t i;

	for (v = tl_jv_child(d, root); v != NULL; v = tl_jv_next(d, root, v)) {
		if (trade_has(t, v->key, v->keylen))
			continue;
		for (i = 0; skip != NULL && skip[i] != NULL; i++)
			if (strlen(skip[i]) == v->keylen &&
			    memcmp(skip[i], v->key, v->keylen) == 0)
				break;
		if (skip != NULL && skip[i] != NULL)
			continue;
		trade_key(t, v->key, v->keylen);
		tl_jv_append(t->b, d, v);
	}
}

/* The part a trade and a counterfactual share, from a closed trade's
 * canonical record od: entry_ts to exit_reason, with date, net_pnl, win
 * and hold_s. */
static void
trade_body(struct trade *t, const struct tl_jdoc *od)
{
	static const char *const money[] = { "entry_price", "exit_price",
		"qty", "pnl", "fees", "slippage", NULL };
	static const char *const exit[] = { "mfe", "mae", "exit_reason",
		NULL };
	const struct tl_jv *orr = &od->v[0], *v, *ex, *en;
	char date[TL_TIME_BUFSZ];
	int64_t exit_ms, entry_ms;
	double net;

	ex = tl_jv_get(od, orr, "exit_ts");
	tl_time_parse(ex->s, ex->len, &exit_ms);
	trade_copy(t, od, "entry_ts", "entry_ts");
	trade_copy(t, od, "exit_ts", "exit_ts");
	tl_time_format_date(date, exit_ms);
	trade_key(t, "date", 4);
	tl_jv_append_string(t->b, date, strlen(date));
	trade_copy_all(t, od, money);
	net = tl_jv_get(od, orr, "pnl")->num;
	if ((v = tl_jv_get(od, orr, "fees")) != NULL)
		net -= v->num;
	trade_num(t, "net_pnl", net);
	trade_key(t, "win", 3);
	tl_buf_adds(t->b, net > 0 ? "true" : "false");
	if ((en = tl_jv_get(od, orr, "entry_ts")) != NULL) {
		tl_time_parse(en->s, en->len, &entry_ms);
		trade_num(t, "hold_s", (double)(exit_ms - entry_ms) / 1000);
	}
	trade_copy_all(t, od, exit);
}

/* The signal (canonical, parsed into s->sdoc) that names decision dd as
 * the one it became; NULL when none was read. */
static const struct tl_jdoc *
signal_of_decision(struct state *s, const struct tl_jdoc *dd)
{
	const struct tl_jv *id = tl_jv_get(dd, &dd->v[0], "id");
	const char *sid, *text;
	uintptr_t *slot;

	if ((slot = tl_map_get(s->sig_of_dec, id->s, id->len)) == NULL)
		return NULL;
	sid = (const char *)*slot;
	text = (const char *)*tl_map_get(s->sigs, sid, strlen(sid));
	tl_jdoc_parse(&s->sdoc, text, strlen(text), NULL, 0, NULL);
	return &s->sdoc;
}

/* Merge a decision and its outcome (canonical records, parsed) into one
 * enriched trade, keys in the order of tl(7), with the fields of the
 * signal that became the decision when it was read first. */
static int
write_trade(struct state *s, const struct tl_jdoc *dd,
    const struct tl_jdoc *od, struct tl_err *err)
{
	static const char *const from_oc[] = { "id", "decision_id",
		"strategy", "symbol", "side", NULL };
	static const char *const from_dec[] = { "confidence", "components",
		"signals", "votes", "regime", NULL };
	static const char *const from_sig[] = { "conviction",
		"expected_edge", "venue", NULL };
	static const char *const not_dec[] = { "ts", "id", NULL };
	struct trade t = { &s->tbuf, { NULL }, { 0 }, 0 };
	const struct tl_jdoc *sd;

	tl_buf_reset(t.b);
	trade_copy_all(&t, od, from_oc);
	trade_copy(&t, dd, "action", "action");
	trade_copy(&t, dd, "ts", "decision_ts");
	trade_body(&t, od);
	trade_copy_all(&t, dd, from_dec);
	if ((sd = signal_of_decision(s, dd)) != NULL) {
		trade_copy(&t, sd, "id", "signal_id");
		trade_copy_all(&t, sd, from_sig);
	}
	/* extras: the outcome's, then the decision's, never overriding */
	trade_extras(&t, od, NULL);
	trade_extras(&t, dd, not_dec);
	tl_buf_addc(t.b, '}');
	s->c.joined++;
	return emit_text(s, E_TRADES, t.b->data, t.b->len, err);
}

/* The other side of a join waiting in pend: take it out if there (its
 * text, new for the caller). */
static char *
take(struct tl_map *pend, const char *id, size_t n)
{
	uintptr_t *slot;
	char *v;

	if ((slot = tl_map_get(pend, id, n)) == NULL)
		return NULL;
	v = (char *)*slot;
	tl_map_del(pend, id, n);
	return v;
}

/* Waiting side, by join key.  This is the join index: it holds the
 * decisions whose outcome has not been read yet (and outcomes read before
 * their decision), as canonical text.  A second record for a key already
 * waiting is -1. */
static int
wait_for(struct tl_map *pend, const char *id, size_t n, const char *text,
    size_t len)
{
	uintptr_t *slot;
	int added;

	slot = tl_map_put(pend, id, n, &added);
	if (!added)
		return -1;
	*slot = (uintptr_t)tl_xstrndup(text, len);
	return 0;
}

/* Join a new decision or outcome (canonical text, parsed in c) with its
 * waiting partner, or wait. */
static int
join(struct state *s, enum tl_kind k, const struct facts *fx, const char *text,
    size_t len, struct tl_err *err)
{
	struct tl_jdoc *c = &s->cdoc;
	char *other;
	int rc = 0;

	if (k == TL_KIND_DECISION) {
		if ((other = take(s->pend_out, fx->jid, fx->jlen)) != NULL) {
			/* canonical text, ours: they parse */
			tl_jdoc_parse(c, text, len, NULL, 0, NULL);
			tl_jdoc_parse(&s->tdoc, other, strlen(other), NULL, 0,
			    NULL);
			rc = write_trade(s, c, &s->tdoc, err);
			free(other);
		} else
			wait_for(s->pend_dec, fx->jid, fx->jlen, text, len);
		return rc;
	}
	if (fx->jid == NULL) {
		s->c.orphans++;
		return emit_unmatched(s, "outcome", text, err);
	}
	if ((other = take(s->pend_dec, fx->jid, fx->jlen)) != NULL) {
		tl_jdoc_parse(c, text, len, NULL, 0, NULL);
		tl_jdoc_parse(&s->tdoc, other, strlen(other), NULL, 0, NULL);
		rc = write_trade(s, &s->tdoc, c, err);
		free(other);
	} else if (wait_for(s->pend_out, fx->jid, fx->jlen, text, len) == -1) {
		/* a second outcome for a decision still unseen */
		s->c.orphans++;
		rc = emit_unmatched(s, "outcome", text, err);
	}
	return rc;
}

/* ---- signals and what is joined with them ----------------------------- */

/* A record accepted and then found to be after --until (by its signal's
 * time): left out, as those found at once. */
static void
leave_out(struct state *s, enum tl_kind k)
{
	s->c.accepted--;
	s->c.kinds[k]--;
	s->c.later++;
}

/* A signal outcome (canonical, parsed in od) joined with its signal sd,
 * keys in the order of tl(7); left out when known (the signal's time
 * plus the horizon) after --until. */
static int
write_signal_outcome(struct state *s, const struct tl_jdoc *sd,
    const struct tl_jdoc *od, struct tl_err *err)
{
	static const char *const from_sig[] = { "ts", "strategy", "symbol",
		"side", "conviction", "executed", "blocked_by", "regime",
		NULL };
	static const char *const from_oc[] = { "move", "hit", "ev",
		"fee_model", "cost", NULL };
	struct trade t = { &s->tbuf, { NULL }, { 0 }, 0 };
	const struct tl_jv *h = tl_jv_get(od, &od->v[0], "horizon");
	const struct tl_jv *ts = tl_jv_get(sd, &sd->v[0], "ts");
	double sec;
	int64_t ms;

	tl_dur_parse(h->s, h->len, &sec);	/* ours: a duration */
	tl_time_parse(ts->s, ts->len, &ms);
	if (ms > s->o->until || (double)(s->o->until - ms) < sec * 1000) {
		leave_out(s, TL_KIND_SIGNAL_OUTCOME);
		return 0;
	}
	tl_buf_reset(t.b);
	trade_copy(&t, od, "signal_id", "signal_id");
	trade_copy_all(&t, sd, from_sig);
	trade_copy(&t, od, "horizon", "horizon");
	trade_num(&t, "horizon_s", sec);
	trade_copy_all(&t, od, from_oc);
	trade_copy(&t, sd, "signals", "signals");
	trade_extras(&t, od, NULL);
	tl_buf_addc(t.b, '}');
	return emit_text(s, E_SIGNAL_OUTCOMES, t.b->data, t.b->len, err);
}

/* A counterfactual (canonical, parsed in cd) joined with its signal sd,
 * keys in the order of tl(7).  Never a return: add_return() reads
 * closed trades only. */
static int
write_counterfactual(struct state *s, const struct tl_jdoc *sd,
    const struct tl_jdoc *cd, struct tl_err *err)
{
	static const char *const head[] = { "id", "signal_id",
		"counterfactual", "strategy", "symbol", NULL };
	static const char *const from_sig[] = { "conviction", "blocked_by",
		"expected_edge", "regime", NULL };
	struct trade t = { &s->tbuf, { NULL }, { 0 }, 0 };

	tl_buf_reset(t.b);
	trade_copy_all(&t, cd, head);
	trade_copy(&t, sd, "venue", "venue");
	trade_copy(&t, tl_jv_get(cd, &cd->v[0], "side") != NULL ? cd : sd,
	    "side", "side");
	trade_copy(&t, sd, "ts", "signal_ts");
	trade_body(&t, cd);
	trade_copy_all(&t, sd, from_sig);
	trade_extras(&t, cd, NULL);
	tl_buf_addc(t.b, '}');
	return emit_text(s, E_COUNTERFACTUALS, t.b->data, t.b->len, err);
}

/* Write the record text (a signal outcome or a counterfactual, as k
 * says) joined with the signal parsed in sd. */
static int
write_by_signal(struct state *s, enum tl_kind k, const struct tl_jdoc *sd,
    const struct tl_jdoc *rd, struct tl_err *err)
{
	return k == TL_KIND_SIGNAL_OUTCOME ?
	    write_signal_outcome(s, sd, rd, err) :
	    write_counterfactual(s, sd, rd, err);
}

/* The tag of a waiting record's kind in pend_sig, and back. */
static const struct {
	char		 tag;
	enum tl_kind	 kind;
} sig_tags[] = {
	{ 'o', TL_KIND_SIGNAL_OUTCOME }, { 'c', TL_KIND_COUNTERFACTUAL }
};

static char
tag_of(enum tl_kind k)
{
	size_t i;

	for (i = 0; i < TL_NELEM(sig_tags) && sig_tags[i].kind != k; i++)
		;
	return sig_tags[i].tag;
}

static enum tl_kind
kind_of_tag(char c)
{
	size_t i;

	for (i = 0; i < TL_NELEM(sig_tags) && sig_tags[i].tag != c; i++)
		;
	return sig_tags[i].kind;
}

/* A signal outcome or counterfactual (canonical text, parsed in c):
 * joined with its signal if read, else waiting for it (its text tagged
 * with its kind, one a line, after those waiting already). */
static int
join_signal(struct state *s, enum tl_kind k, const struct tl_jdoc *c,
    const char *text, size_t len, struct tl_err *err)
{
	const struct tl_jv *id = tl_jv_get(c, &c->v[0], "signal_id");
	uintptr_t *slot;
	struct tl_buf b;
	const char *sig;
	int added;

	if ((slot = tl_map_get(s->sigs, id->s, id->len)) != NULL) {
		sig = (const char *)*slot;
		tl_jdoc_parse(&s->sdoc, sig, strlen(sig), NULL, 0, NULL);
		return write_by_signal(s, k, &s->sdoc, c, err);
	}
	slot = tl_map_put(s->pend_sig, id->s, id->len, &added);
	tl_buf_init(&b);
	if (!added) {
		tl_buf_adds(&b, (char *)*slot);
		free((char *)*slot);
	}
	tl_buf_addc(&b, tag_of(k));
	tl_buf_add(&b, text, len);
	tl_buf_addc(&b, '\n');
	*slot = (uintptr_t)tl_xstrndup(b.data, b.len);
	tl_buf_release(&b);
	return 0;
}

/* Call fn on each tagged line of a pend_sig value: its kind and text. */
static int
each_waiting(struct state *s, char *list,
    int (*fn)(struct state *, enum tl_kind, char *, size_t, const void *,
    struct tl_err *), const void *arg, struct tl_err *err)
{
	char *p, *nl;
	int rc = 0;

	for (p = list; rc == 0 && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		rc = fn(s, kind_of_tag(*p), p + 1, (size_t)(nl - p - 1), arg,
		    err);
	}
	return rc;
}

static int
flush_one(struct state *s, enum tl_kind k, char *text, size_t n,
    const void *arg, struct tl_err *err)
{
	tl_jdoc_parse(&s->tdoc, text, n, NULL, 0, NULL);
	return write_by_signal(s, k, arg, &s->tdoc, err);
}

/* A new signal (canonical text, parsed in c): kept for what joins it,
 * the records waiting for it written. */
static int
keep_signal(struct state *s, const struct tl_jdoc *c, const char *text,
    size_t len, struct tl_err *err)
{
	const struct tl_jv *id = tl_jv_get(c, &c->v[0], "id"), *d;
	uintptr_t *slot;
	char *list;
	int added, rc = 0;

	slot = tl_map_put(s->sigs, id->s, id->len, &added);
	*slot = (uintptr_t)tl_xstrndup(text, len);
	if ((d = tl_jv_get(c, &c->v[0], "decision_id")) != NULL) {
		slot = tl_map_put(s->sig_of_dec, d->s, d->len, &added);
		if (added)	/* the first signal that names it */
			*slot = (uintptr_t)tl_xstrndup(id->s, id->len);
	}
	if ((list = take(s->pend_sig, id->s, id->len)) != NULL) {
		rc = each_waiting(s, list, flush_one, c, err);
		free(list);
	}
	return rc;
}

/* The facts of canonical record text[0..len) of kind k, parsed in c
 * (pointers into c and text); key is scratch.  The dedup key is kind and
 * the fields of its key in kind_ops (id; promotions and retirements:
 * strategy and time); the content is compared by a hash of its text. */
static void
facts_of(struct tl_buf *key, enum tl_kind k, const struct tl_jdoc *c,
    const char *text, size_t len, struct facts *fx)
{
	const struct tl_jv *root = &c->v[0], *v;
	int64_t ms;
	size_t i;

	memset(fx, 0, sizeof(*fx));
	tl_buf_reset(key);
	tl_buf_addc(key, (char)('0' + k));
	for (i = 0; i < TL_NELEM(kind_ops[k].key) && kind_ops[k].key[i] !=
	    NULL; i++) {
		if (i > 0)
			tl_buf_addc(key, '\0');
		v = tl_jv_get(c, root, kind_ops[k].key[i]);
		tl_buf_add(key, v->s, v->len);
	}
	fx->kh = tl_hash64(key->data, key->len);
	fx->kh += fx->kh == 0;
	fx->ch = tl_hash64(text, len);
	if (k == TL_KIND_DECISION)
		v = tl_jv_get(c, root, "id");
	else if (k == TL_KIND_OUTCOME)
		v = tl_jv_get(c, root, "decision_id");
	else
		return;
	if (v != NULL) {
		fx->jid = v->s;
		fx->jlen = v->len;
	}
	if (k != TL_KIND_OUTCOME)
		return;
	v = tl_jv_get(c, root, "strategy");
	fx->strat = v->s;
	fx->slen = v->len;
	v = tl_jv_get(c, root, "exit_ts");
	tl_time_parse(v->s, v->len, &ms);
	fx->day = ms / MS_PER_DAY - (ms % MS_PER_DAY < 0);
	fx->net = tl_jv_get(c, root, "pnl")->num;
	if ((v = tl_jv_get(c, root, "fees")) != NULL)
		fx->net -= v->num;
}

/* Is the record of fx new?  Returns 1 new, 0 identical duplicate, -1
 * conflicting one. */
static int
dedup(struct state *s, const struct facts *fx)
{
	uint64_t *slot;
	int added;

	slot = u64map_put(&s->seen, fx->kh, &added);
	if (!added)
		return *slot == fx->ch ? 0 : -1;
	*slot = fx->ch;
	return 1;
}

static char *
jv_text(struct state *s, const struct tl_jdoc *c, const struct tl_jv *v)
{
	tl_buf_reset(&s->tbuf);
	tl_jv_append(&s->tbuf, c, v);
	return tl_xstrndup(s->tbuf.data, s->tbuf.len);
}

/* Keep what the dataset needs of a canonical run (parsed in c). */
static void
keep_run(struct state *s, const struct tl_jdoc *c)
{
	const struct tl_jv *root = &c->v[0], *m, *v;
	struct run *r;

	if (s->nruns == s->capruns) {
		s->capruns = s->capruns ? 2 * s->capruns : 256;
		s->runs = tl_xreallocarray(s->runs, s->capruns,
		    sizeof(*s->runs));
	}
	r = &s->runs[s->nruns++];
	v = tl_jv_get(c, root, "strategy");
	r->strategy = tl_xstrndup(v->s, v->len);
	v = tl_jv_get(c, root, "period");
	r->period = tl_xstrndup(v->s, v->len);
	v = tl_jv_get(c, root, "id");
	r->id = tl_xstrndup(v->s, v->len);
	r->genome = jv_text(s, c, tl_jv_get(c, root, "genome"));
	m = tl_jv_get(c, root, "metrics");
	r->metrics = jv_text(s, c, m);
	r->roi = jv_text(s, c, tl_jv_get(c, m, "roi"));
	r->sharpe = jv_text(s, c, tl_jv_get(c, m, "sharpe"));
}

static void
free_run(struct run *r)
{
	free(r->strategy);
	free(r->period);
	free(r->id);
	free(r->genome);
	free(r->metrics);
	free(r->roi);
	free(r->sharpe);
}

/* The capital of the strategy name[0..n) (renamed by --aliases): the
 * starting balance of its backtest, the first one read (a later different
 * one is said, not used), whether its run is accepted or not. */
static void
keep_capital(struct state *s, const char *name, size_t n, double capital)
{
	char a[TL_NUM_BUFSZ], b[TL_NUM_BUFSZ];
	uintptr_t *slot;
	int added;

	if (s->alias != NULL)
		tl_alias_get(s->alias, name, n, &name, &n);
	slot = tl_map_put(s->capitals, name, n, &added);
	if (added) {
		s->capv = tl_xreallocarray(s->capv, tl_map_count(s->capitals),
		    sizeof(*s->capv));
		*slot = tl_map_count(s->capitals);
		s->capv[*slot - 1] = capital;
	} else if (s->capv[*slot - 1] != capital && !s->o->capital_set) {
		tl_fmt_double(a, capital);
		tl_fmt_double(b, s->capv[*slot - 1]);
		tl_warn("strategy '%.*s': starting balance %s differs from %s "
		    "read first; its returns use %s", (int)n, name, a, b, b);
	}
}

/* Stage one: check and normalise one record (JSON text), parsed into
 * doc, into out (empty).  It reads nothing of s but the options, so that
 * any thread can run it.  Returns 0 (the canonical text in out), 1 to
 * reject (why set) or 2 when it happened after --until.  *kp and *rule
 * get the record's kind and the rule that gave it (see kind_of), when it
 * is known; *renamed whether --aliases renamed a strategy. */
static int
normalise(const struct state *s, struct tl_jdoc *doc, struct tl_buf *out,
    const struct file_kind *fk, enum tl_kind *kp, const char **rule,
    int *renamed, const char *text, size_t len, const char *name,
    unsigned long line, struct tl_err *why)
{
	struct rec r;
	enum tl_kind k;

	if (tl_jdoc_parse(doc, text, len, name, line, why) == -1)
		return 1;
	if (doc->v[0].type != TL_JOBJ)
		return tl_err_set(why, TL_EX_DATAERR, name, line,
		    "expected an object, got %s",
		    tl_jv_typename(&doc->v[0])), 1;
	memset(&r, 0, sizeof(r));
	r.o = s->o;
	r.d = doc;
	r.in = &doc->v[0];
	r.out = out;
	r.name = name;
	r.line = line;
	r.err = why;
	r.when = INT64_MIN;
	r.alias = s->alias;
	if ((k = *kp = kind_of(&r, fk, rule)) == TL_KIND_NONE)
		return tl_err_set(why, TL_EX_DATAERR, name, line,
		    "cannot tell the record kind (%s): use --kind",
		    s->kind_list), 1;
	if (kind_ops[k].norm(&r) == -1)
		return 1;
	*renamed = r.renamed;
	return r.when > s->o->until ? 2 : 0;
}

/* Stage two of a record that stage one found after --until (canonical
 * text[0..len) of kind k): counted, and a signal's id kept, as what joins
 * it is later too. */
static void
take_later(struct state *s, enum tl_kind k, const char *text, size_t len)
{
	struct tl_jdoc *c = &s->cdoc;
	const struct tl_jv *id;
	int added;

	s->c.later++;
	if (k != TL_KIND_SIGNAL)
		return;
	tl_jdoc_parse(c, text, len, NULL, 0, NULL);	/* ours: it parses */
	id = tl_jv_get(c, &c->v[0], "id");
	tl_map_put(s->late_sigs, id->s, id->len, &added);
}

/* Stage two, in the order of the input: de-duplicate, count, write and
 * join the canonical record text[0..len) of kind k (from name:line).
 * Returns 0 (taken, or an identical duplicate), 1 to reject a
 * conflicting duplicate (why set) or -1 on a fatal output error (err
 * set). */
static int
stage_two(struct state *s, enum tl_kind k, const char *text, size_t len,
    int renamed, const struct facts *fx, const char *name, unsigned long line,
    struct tl_err *why, struct tl_err *err)
{
	const struct kind_ops *ops = &kind_ops[k];
	struct tl_jdoc *c = &s->cdoc;
	const struct tl_jv *id;
	int rc, d;

	if ((d = dedup(s, fx)) != 1) {
		if (d == 0) {
			s->c.dups++;
			return 0;
		}
		s->c.conflicts++;
		tl_jdoc_parse(c, text, len, NULL, 0, NULL);	/* ours */
		id = tl_jv_get(c, &c->v[0], ops->key[0]);
		return tl_err_set(why, TL_EX_DATAERR, name, line,
		    "conflicting duplicate of %s '%.*s' (the first is kept)",
		    tl_kind_names[k], (int)(id->len < 64 ? id->len : 64),
		    id->s), 1;
	}
	s->c.accepted++;
	s->c.kinds[k]++;
	s->c.renamed += (unsigned long)renamed;
	if (ops->parsed)	/* ours: it parses */
		tl_jdoc_parse(c, text, len, NULL, 0, NULL);
	if (ops->by_signal)
		return join_signal(s, k, c, text, len, err) == -1 ? -1 : 0;
	rc = emit_text(s, ops->emit, text, len, err);
	if (rc == 0 && k == TL_KIND_SIGNAL)
		rc = keep_signal(s, c, text, len, err);
	if (k == TL_KIND_OUTCOME)
		add_return(s, fx);
	if (k == TL_KIND_RUN)
		keep_run(s, c);
	if (rc == 0 && (k == TL_KIND_DECISION || k == TL_KIND_OUTCOME))
		rc = join(s, k, fx, text, len, err);
	return rc == -1 ? -1 : 0;
}

/* Check, normalise and route one record (JSON text): both stages.
 * Returns 0 (taken, an identical duplicate, or after --until), 1 to
 * reject (why set) or -1 on a fatal output error (err set). */
static int
handle(struct state *s, const struct file_kind *fk, enum tl_kind *kp,
    const char **rule, const char *text, size_t len, const char *name,
    unsigned long line, struct tl_err *why, struct tl_err *err)
{
	struct facts fx;
	int renamed = 0;

	tl_buf_reset(&s->buf);
	switch (normalise(s, &s->doc, &s->buf, fk, kp, rule, &renamed, text,
	    len, name, line, why)) {
	case 1:
		return 1;
	case 2:
		take_later(s, *kp, s->buf.data, s->buf.len);
		return 0;
	}
	tl_jdoc_parse(&s->fdoc, s->buf.data, s->buf.len, NULL, 0, NULL);
	facts_of(&s->tbuf, *kp, &s->fdoc, s->buf.data, s->buf.len, &fx);
	return stage_two(s, *kp, s->buf.data, s->buf.len, renamed, &fx, name,
	    line, why, err);
}

/* Count what src read under its format and map. */
static void
count_source(struct state *s, const struct tl_source *src)
{
	struct source_count *c;
	const char *map = tl_source_map(src);
	size_t i;

	for (i = 0; i < s->nsrcs; i++)
		if (s->srcs[i].fmt == tl_source_fmt(src) &&
		    (s->srcs[i].map == NULL) == (map == NULL) &&
		    (map == NULL || strcmp(s->srcs[i].map, map) == 0))
			break;
	if (i == s->nsrcs) {
		s->srcs = tl_xreallocarray(s->srcs, ++s->nsrcs,
		    sizeof(*s->srcs));
		memset(&s->srcs[i], 0, sizeof(s->srcs[i]));
		s->srcs[i].fmt = tl_source_fmt(src);
		s->srcs[i].map = map;
	}
	c = &s->srcs[i];
	c->files++;
	c->records += tl_source_records(src);
	c->open += tl_source_open_trades(src);
	c->left_out += tl_source_left_out(src);
}

/* The positions of fills maps still open once every file is read, under
 * the map's first source. */
static void
count_open_positions(struct state *s)
{
	size_t i, j;

	for (i = 0; i < s->srcopts.nmaps; i++)
		for (j = 0; j < s->nsrcs; j++)
			if (s->srcs[j].map == tl_mapfile_name(s->maps[i])) {
				s->srcs[j].open += tl_mapfile_open_positions(
				    s->maps[i]);
				break;
			}
}

/* Read one input, opened as src (freed here).  Returns 0, or -1 with err
 * set for a fatal error (an output that cannot be written, a broken
 * document or database).  Bad records and unreadable compressed data are
 * rejects, counted, not fatal. */
static int
ingest(struct state *s, struct tl_source *src, const char *path,
    struct tl_err *err)
{
	struct tl_item it;
	struct tl_err why = { 0 };
	struct file_kind fk, ik;
	const struct file_kind *use;
	enum tl_kind k;
	const char *raw, *rule, *skip, *pos;
	size_t n, full;
	int rc, h = 0;

	if ((skip = tl_src_skip_reason(tl_source_fmt(src))) != NULL)
		tl_warn("%s: %s: skipped", path, skip);
	file_kind(&fk, s->o, path);
	ik.forced = 1;
	while (h != -1 && (rc = tl_source_next(src, &it, &why)) != 0) {
		if (rc == -1 && tl_source_fatal(src)) {
			*err = why;
			h = -1;
			break;
		}
		s->c.read++;
		use = &fk;
		if (it.kind != TL_KIND_NONE) {	/* the format says */
			ik.kind = it.kind;
			snprintf(ik.why, sizeof(ik.why), "%s", it.why);
			use = &ik;
		}
		k = use->kind;
		rule = use->why;
		if (rc == 1 && it.slen > 0)
			keep_capital(s, it.strategy, it.slen, it.capital);
		if (rc == 1) {
			h = handle(s, use, &k, &rule, it.text, it.len, it.name,
			    it.line, &why, err);
			if (h != 1)
				continue;
			if (*(pos = tl_source_pos(src)) != '\0')
				tl_err_set(&why, why.code, why.where, 0, "%s%s",
				    pos, why.msg);
			if (it.group)
				tl_source_drop_group(src);
		}
		raw = tl_source_raw(src, &n, &full);
		h = reject(s, it.name, it.line, k, rule, &why, raw, n, full,
		    err);
		if (tl_source_failed(src))
			break;
	}
	count_source(s, src);
	tl_source_free(src);
	return h == -1 ? -1 : 0;
}

/* The size of the file at path in MB, 0 for standard input or what is
 * not a regular file: what the progress counts. */
static double
path_mb(const char *path)
{
	struct stat st;

	if (strcmp(path, "-") == 0 || stat(path, &st) == -1 ||
	    !S_ISREG(st.st_mode))
		return 0;
	return (double)st.st_size / 1e6;
}

/* ---- reading ahead ---------------------------------------------------- */

/*
 * The inputs are read in batches on a thread of their own, and each
 * batch's records checked and normalised (stage one, normalise()) by up
 * to -T - 1 workers, while the main thread takes the batch before (stage
 * two, stage_two(): de-duplication, joins, outputs) in the order of the
 * input: the outputs are those of one thread, byte for byte.  With -T 1
 * the same is done one batch after the other.  Only our own line formats
 * (JSON Lines, CSV, read without a map) are read ahead; another file ends
 * the batch and is read by ingest() when its turn comes, so that the
 * groups of a document and the positions of a map are handled as they
 * come.  A large file is read ahead in batches as any other.
 */
#define BATCH_BYTES	((size_t)4 << 20)	/* input text of a batch */
#define BATCH_RECS	16384			/* its records at most */
#define BATCH_CHUNKS	8			/* parts normalised apart */
#define PREFETCH_AHEAD	8	/* records whose dedup slot is fetched
				 * before it is probed: a hint only */

/* What stage one made of a record. */
enum { B_SOURCE = -1, B_OK, B_REJECT, B_LATER };

/* One record of a batch. */
struct brec {
	size_t		 file;		/* index in the batch's files */
	unsigned long	 line;		/* its first line */
	size_t		 text, len;	/* its JSON text in the batch's in */
	size_t		 raw, rawlen, rawfull;	/* its raw text in in */
	int		 st;		/* B_: B_SOURCE: set aside by the
					 * source; why holds the reason */
	enum tl_kind	 k;		/* its kind, when known */
	const char	*rule;		/* the rule that gave it */
	int		 renamed;	/* a strategy was renamed */
	size_t		 chunk;		/* its part (BATCH_CHUNKS: none) */
	size_t		 canon, clen;	/* canonical text in its part's out */
	size_t		 why;		/* its reason in its part's whys */
	struct facts	 fx;		/* its facts, but for the strings: */
	size_t		 joff, soff;	/* jid and strat in its part's out,
					 * or NO_BYTES */
};

/* A part of a batch, normalised by one worker. */
struct bchunk {
	struct tl_buf	 out;		/* canonical texts */
	struct tl_err	*whys;		/* reasons of rejects */
	size_t		 nwhy, capwhy;
};

/* A file of a batch. */
struct bfile {
	size_t		 path;		/* index in the walk */
	char		*name;		/* for messages (new), or NULL */
	struct file_kind fk;		/* what its name says */
	int		 ends;		/* its last record is in the batch */
};

/* A worker's scratch. */
struct scratch {
	struct tl_jdoc	 doc;		/* the input record */
	struct tl_buf	 buf;		/* its canonical text */
	struct tl_jdoc	 cdoc;		/* that text, parsed */
	struct tl_buf	 key;		/* its dedup key */
};

struct reader;

struct batch {
	struct reader	*rd;		/* where reading is */
	struct tl_buf	 in;		/* texts as read */
	struct brec	*r;		/* records */
	size_t		 n, cap;
	struct bfile	*f;		/* their files, in order */
	size_t		 nf, capf;
	struct bchunk	 ch[BATCH_CHUNKS + 1];	/* the last: the source's
					 * reasons */
	struct tl_source *serial;	/* a file for ingest() after the
					 * records, or NULL */
	size_t		 serial_path;	/* its index in the walk */
	int		 fatal;		/* err stops the run after them */
	struct tl_err	 err;
	struct tl_bg	 bg;		/* reading it */
	int		 busy;		/* bg started, not waited for */
};

/* Where reading is. */
struct reader {
	struct state	*s;		/* options; count_source() */
	const struct tl_walk *w;	/* the inputs */
	size_t		 next;		/* next path to open */
	struct tl_source *src;		/* the file being read, or NULL */
	size_t		 cur;		/* its index */
	int		 done;		/* nothing more to read */
	int		 workers;	/* stage one's threads */
	struct scratch	*sc;		/* one per worker */
};

static size_t
add_why(struct bchunk *c, const struct tl_err *why)
{
	if (c->nwhy == c->capwhy) {
		c->capwhy = c->capwhy ? 2 * c->capwhy : 16;
		c->whys = tl_xreallocarray(c->whys, c->capwhy,
		    sizeof(*c->whys));
	}
	c->whys[c->nwhy] = *why;
	return c->nwhy++;
}

/* Read ahead: our line formats, as they are, without a map. */
static int
line_format(const struct tl_source *src)
{
	return (tl_source_fmt(src) == TL_SRC_JSONL ||
	    tl_source_fmt(src) == TL_SRC_CSV) && tl_source_map(src) == NULL;
}

/* The file being read, as the batch's last. */
static void
batch_file(struct batch *b, const struct reader *rd)
{
	struct bfile *f;

	if (b->nf > 0 && b->f[b->nf - 1].path == rd->cur)
		return;
	if (b->nf == b->capf) {
		b->capf = b->capf ? 2 * b->capf : 16;
		b->f = tl_xreallocarray(b->f, b->capf, sizeof(*b->f));
	}
	f = &b->f[b->nf++];
	f->path = rd->cur;
	f->name = NULL;
	file_kind(&f->fk, rd->s->o, rd->w->paths[rd->cur]);
	f->ends = 0;
}

/* The file being read has ended. */
static void
end_file(struct batch *b, struct reader *rd)
{
	count_source(rd->s, rd->src);
	tl_source_free(rd->src);
	rd->src = NULL;
	b->f[b->nf - 1].ends = 1;
}

/* The next record of the file being read into b: 1, or 0 at its end.
 * A fatal error sets b->fatal. */
static int
read_record(struct batch *b, struct reader *rd)
{
	struct tl_item it;
	struct tl_err why = { 0 };
	struct brec *r;
	struct bfile *f = &b->f[b->nf - 1];
	const char *raw;
	size_t n, full;
	int rc;

	if ((rc = tl_source_next(rd->src, &it, &why)) == 0 ||
	    (rc == -1 && tl_source_fatal(rd->src))) {
		if (rc == -1) {
			b->err = why;
			b->fatal = 1;
			rd->done = 1;
		}
		end_file(b, rd);
		return 0;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1024;
		b->r = tl_xreallocarray(b->r, b->cap, sizeof(*b->r));
	}
	r = &b->r[b->n++];
	memset(r, 0, sizeof(*r));
	r->file = b->nf - 1;
	r->line = it.line;
	if (f->name == NULL)
		f->name = tl_xstrdup(it.name);
	raw = tl_source_raw(rd->src, &n, &full);
	r->st = rc == 1 ? B_OK : B_SOURCE;
	r->chunk = BATCH_CHUNKS;
	if (rc == 1) {
		r->text = b->in.len;
		r->len = it.len;
		tl_buf_add(&b->in, it.text, it.len);
	}
	if (rc == 1 && raw == it.text && n == it.len)
		r->raw = r->text;
	else {
		r->raw = b->in.len;
		tl_buf_add(&b->in, raw, n);
	}
	r->rawlen = n;
	r->rawfull = full;
	if (rc == -1) {
		r->why = add_why(&b->ch[BATCH_CHUNKS], &why);
		if (tl_source_failed(rd->src))
			end_file(b, rd);
	}
	return 1;
}

/* Empty b for the next batch. */
static void
batch_reset(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->nf; i++)
		free(b->f[i].name);
	for (i = 0; i <= BATCH_CHUNKS; i++) {
		tl_buf_reset(&b->ch[i].out);
		b->ch[i].nwhy = 0;
	}
	tl_buf_reset(&b->in);
	b->n = b->nf = 0;
	b->serial = NULL;
	b->fatal = 0;
}

#define NO_BYTES	SIZE_MAX	/* keep_bytes() of NULL */

/* Append p[0..n) to b: its offset, or NO_BYTES for p NULL. */
static size_t
keep_bytes(struct tl_buf *b, const char *p, size_t n)
{
	size_t at = b->len;

	if (p == NULL)
		return NO_BYTES;
	tl_buf_add(b, p, n);
	return at;
}

/* The bytes at offset off of base, or NULL. */
static const char *
kept(const char *base, size_t off)
{
	return off == NO_BYTES ? NULL : base + off;
}

/* Stage one of part task of the batch ctx, on worker's scratch. */
static void
norm_chunk(void *ctx, size_t task, int worker)
{
	struct batch *b = ctx;
	struct bchunk *c = &b->ch[task];
	struct scratch *sc = &b->rd->sc[worker];
	struct tl_err why = { 0 };
	struct brec *r;
	struct bfile *f;
	size_t i, lo = b->n * task / BATCH_CHUNKS;
	size_t hi = b->n * (task + 1) / BATCH_CHUNKS;

	for (i = lo; i < hi; i++) {
		if ((r = &b->r[i])->st == B_SOURCE)
			continue;
		f = &b->f[r->file];
		r->chunk = task;
		r->k = f->fk.kind;
		r->rule = f->fk.why;
		tl_buf_reset(&sc->buf);
		r->st = normalise(b->rd->s, &sc->doc, &sc->buf, &f->fk, &r->k,
		    &r->rule, &r->renamed, b->in.data + r->text, r->len,
		    f->name, r->line, &why);
		if (r->st == B_REJECT)
			r->why = add_why(c, &why);
		r->canon = c->out.len;
		r->clen = sc->buf.len;
		/* with its NUL, as stage two wants a string */
		tl_buf_add(&c->out, sc->buf.data, sc->buf.len + 1);
		if (r->st != B_OK)
			continue;
		tl_jdoc_parse(&sc->cdoc, sc->buf.data, sc->buf.len, NULL, 0,
		    NULL);
		facts_of(&sc->key, r->k, &sc->cdoc, sc->buf.data, sc->buf.len,
		    &r->fx);
		/* the strings move into out: offsets until stage two */
		r->joff = keep_bytes(&c->out, r->fx.jid, r->fx.jlen);
		r->soff = keep_bytes(&c->out, r->fx.strat, r->fx.slen);
	}
}

/* Read the next batch into ctx and normalise it (on the reading
 * thread). */
static void
batch_fill(void *ctx)
{
	struct batch *b = ctx;
	struct reader *rd = b->rd;

	batch_reset(b);
	while (!rd->done && b->n < BATCH_RECS && b->in.len < BATCH_BYTES) {
		if (rd->src == NULL) {
			if (rd->next == rd->w->n) {
				rd->done = 1;
				break;
			}
			rd->cur = rd->next++;
			if ((rd->src = tl_source_open(rd->w->paths[rd->cur],
			    &rd->s->srcopts, &b->err)) == NULL) {
				b->fatal = rd->done = 1;
				break;
			}
			if (!line_format(rd->src)) {
				b->serial = rd->src;
				b->serial_path = rd->cur;
				rd->src = NULL;
				break;
			}
		}
		batch_file(b, rd);
		read_record(b, rd);
	}
	tl_par_for(rd->workers, BATCH_CHUNKS, norm_chunk, b);
}

/* Stage two of b's records, in order.  Returns 0, or -1 with err set. */
static int
batch_take(struct state *s, struct batch *b, struct tl_err *err)
{
	const struct brec *r;
	const struct bfile *f;
	struct tl_err why;
	struct facts fx;
	enum tl_kind k;
	const char *rule, *base;
	size_t i;
	int h = 0;

	for (i = 0; i < b->n && h != -1; i++) {
		/* the dedup table is larger than the caches: its slot of a
		 * later record is on its way while this one is taken */
		if (i + PREFETCH_AHEAD < b->n && s->seen.slot != NULL)
			__builtin_prefetch(&s->seen.slot[u64map_slot(&s->seen,
			    b->r[i + PREFETCH_AHEAD].fx.kh)]);
		r = &b->r[i];
		f = &b->f[r->file];
		s->c.read++;
		k = r->k;
		rule = r->rule;
		if (r->st == B_LATER) {
			take_later(s, r->k, b->ch[r->chunk].out.data +
			    r->canon, r->clen);
			continue;
		}
		if (r->st == B_OK) {
			base = b->ch[r->chunk].out.data;
			fx = r->fx;
			fx.jid = kept(base, r->joff);
			fx.strat = kept(base, r->soff);
			h = stage_two(s, r->k, base + r->canon, r->clen,
			    r->renamed, &fx, f->name, r->line, &why, err);
			if (h != 1)
				continue;
		} else
			why = b->ch[r->chunk].whys[r->why];
		if (r->st == B_SOURCE) {
			k = f->fk.kind;
			rule = f->fk.why;
		}
		h = reject(s, f->name, r->line, k, rule, &why,
		    b->in.data + r->raw, r->rawlen, r->rawfull, err);
	}
	return h == -1 ? -1 : 0;
}

/* Start reading the next batch into b, unless all is read. */
static void
batch_start(struct batch *b, int async)
{
	if (b->rd->done)
		return;
	b->busy = 1;
	tl_bg_start(&b->bg, batch_fill, b, async);
}

/* Read every input of w with threads threads, drawing the progress on
 * pr.  Returns 0, or -1 with err set. */
static int
ingest_all(struct state *s, const struct tl_walk *w, int threads,
    struct tl_progress *pr, struct tl_err *err)
{
	struct reader rd;
	struct batch b[2], *x;
	double mb = 0;
	size_t i, j;
	int rc = 0, cur = 0, async = threads > 1;

	memset(&rd, 0, sizeof(rd));
	memset(b, 0, sizeof(b));
	rd.s = s;
	rd.w = w;
	rd.workers = threads > 2 ? threads - 1 : 1;
	rd.sc = tl_xcalloc((size_t)rd.workers, sizeof(*rd.sc));
	for (i = 0; i < (size_t)rd.workers; i++) {
		tl_jdoc_init(&rd.sc[i].doc);
		tl_buf_init(&rd.sc[i].buf);
		tl_jdoc_init(&rd.sc[i].cdoc);
		tl_buf_init(&rd.sc[i].key);
	}
	for (i = 0; i < 2; i++) {
		b[i].rd = &rd;
		tl_buf_init(&b[i].in);
		for (j = 0; j <= BATCH_CHUNKS; j++)
			tl_buf_init(&b[i].ch[j].out);
	}
	batch_start(&b[0], async);
	while (rc == 0 && b[cur].busy) {
		x = &b[cur];
		tl_bg_wait(&x->bg);
		x->busy = 0;
		if (x->serial == NULL && !x->fatal)
			batch_start(&b[1 - cur], async);
		rc = batch_take(s, x, err);
		for (i = 0; i < x->nf; i++)
			if (x->f[i].ends)
				tl_progress_set(pr, mb += path_mb(
				    w->paths[x->f[i].path]));
		if (rc == 0 && x->fatal) {
			*err = x->err;
			rc = -1;
		}
		if (rc == 0 && x->serial != NULL) {
			rc = ingest(s, x->serial, w->paths[x->serial_path],
			    err);
			x->serial = NULL;
			tl_progress_set(pr, mb += path_mb(
			    w->paths[x->serial_path]));
			batch_start(&b[1 - cur], async);
		}
		tl_source_free(x->serial);	/* not read: an error */
		x->serial = NULL;
		cur = 1 - cur;
	}
	for (i = 0; i < 2; i++) {
		if (b[i].busy)
			tl_bg_wait(&b[i].bg);
		tl_source_free(b[i].serial);
		batch_reset(&b[i]);
		tl_buf_release(&b[i].in);
		for (j = 0; j <= BATCH_CHUNKS; j++) {
			tl_buf_release(&b[i].ch[j].out);
			free(b[i].ch[j].whys);
		}
		free(b[i].r);
		free(b[i].f);
	}
	if (rd.src != NULL)
		tl_source_free(rd.src);
	for (i = 0; i < (size_t)rd.workers; i++) {
		tl_jdoc_release(&rd.sc[i].doc);
		tl_buf_release(&rd.sc[i].buf);
		tl_jdoc_release(&rd.sc[i].cdoc);
		tl_buf_release(&rd.sc[i].key);
	}
	free(rd.sc);
	return rc;
}

/* ---- the outputs built at the end --------------------------------------- */

/* Strategy names by number, for sorting the returns. */
static const char **sort_names;

static int
cmp_by_strategy(const void *a, const void *b)
{
	uint64_t x = ((const struct u64slot *)a)->key;
	uint64_t y = ((const struct u64slot *)b)->key;

	return x < y ? -1 : x > y;	/* number, then day */
}

static int
cmp_by_date(const void *a, const void *b)
{
	uint64_t x = ((const struct u64slot *)a)->key;
	uint64_t y = ((const struct u64slot *)b)->key;

	if (day_of(x) != day_of(y))
		return day_of(x) < day_of(y) ? -1 : 1;
	return strcmp(sort_names[strategy_of(x)], sort_names[strategy_of(y)]);
}

/* Weekday of a day number: 0 Monday .. 6 Sunday (1970-01-01 was a
 * Thursday). */
static int
weekday(int64_t day)
{
	return (int)(((day % 7) + 7 + 3) % 7);
}

/* returns: per strategy, every weekday between its first and last day
 * with a closed trade (0 when none closed), unless --no-fill; sorted by
 * date, then strategy.  The days map is taken apart for it: its slots are
 * packed to the front, gaps appended, and sorted in place. */
static int
write_returns(struct state *s, struct tl_err *err)
{
	static const char *cols[] = { "date", "strategy", "return" };
	struct tl_out *o = s->out[E_RETURNS];
	struct u64map *t = &s->days;
	struct u64slot *v = t->slot;
	char date[TL_TIME_BUFSZ];
	size_t i, n = 0, cap, it, len;
	const char *name;
	uintptr_t num, *slot;
	double sum, *capital;
	int64_t d;
	json_t *rec;
	int rc = 0;

	if (o == NULL)
		return 0;
	tl_out_set_columns(o, cols, 3);
	if (t->n == 0)
		return 0;
	capital = tl_xcalloc(tl_map_count(s->strats) + 1, sizeof(*capital));
	cap = t->mask + 1;
	for (i = 0; i < cap; i++)
		if (v[i].key != 0)
			v[n++] = v[i];
	sort_names = tl_xcalloc(tl_map_count(s->strats) + 1, sizeof(char *));
	for (it = 0; tl_map_next(s->strats, &it, &name, &len, &num);) {
		sort_names[num] = name;
		capital[num] = s->o->capital;
		if (!s->o->capital_set && (slot = tl_map_get(s->capitals,
		    name, len)) != NULL)
			capital[num] = s->capv[*slot - 1];
	}
	if (s->o->fill) {
		qsort(v, n, sizeof(*v), cmp_by_strategy);
		for (i = 0, len = n; i + 1 < len; i++) {
			if (strategy_of(v[i].key) != strategy_of(v[i + 1].key))
				continue;
			for (d = day_of(v[i].key) + 1;
			    d < day_of(v[i + 1].key); d++) {
				if (weekday(d) >= 5)
					continue;
				if (n == cap) {
					cap *= 2;
					v = tl_xreallocarray(v, cap,
					    sizeof(*v));
				}
				v[n].key = day_key(strategy_of(v[i].key), d);
				v[n++].val = 0;
			}
		}
	}
	qsort(v, n, sizeof(*v), cmp_by_date);
	for (i = 0; i < n && rc == 0; i++) {
		tl_time_format_date(date, day_of(v[i].key) * MS_PER_DAY);
		memcpy(&sum, &v[i].val, sizeof(sum));
		rec = json_pack("{s:s,s:s,s:f}", "date", date, "strategy",
		    sort_names[strategy_of(v[i].key)], "return",
		    sum / capital[strategy_of(v[i].key)]);
		rc = tl_out_write(o, rec, err);
		json_decref(rec);
	}
	t->slot = v;	/* no longer a hash table: only freed */
	free(sort_names);
	free(capital);
	sort_names = NULL;
	return rc;
}

static int
cmp_run(const void *a, const void *b)
{
	const struct run *x = *(struct run *const *)a;
	const struct run *y = *(struct run *const *)b;
	int c;

	if ((c = strcmp(x->strategy, y->strategy)) != 0)
		return c;
	if ((c = strcmp(x->period, y->period)) != 0)
		return c;
	return strcmp(x->id, y->id);
}

static void
row_key(struct tl_buf *b, const char *key, const char *json)
{
	tl_buf_addc(b, b->len > 0 ? ',' : '{');
	tl_jv_append_string(b, key, strlen(key));
	tl_buf_addc(b, ':');
	tl_buf_adds(b, json);
}

/* dataset: each run with the next period's roi and sharpe of the same
 * strategy and genome as targets (genomes compared as canonical text).
 * Runs of the last period have no target and are not rows; they are
 * counted.  Rows are counted even when the dataset is not written. */
static int
write_dataset(struct state *s, unsigned long *rows, unsigned long *last,
    struct tl_err *err)
{
	struct tl_out *o = s->out[E_DATASET];
	struct tl_buf *b = &s->tbuf;
	struct run **r;
	size_t i, j, k, n;
	int rc = 0;

	*rows = *last = 0;
	if ((n = s->nruns) == 0)
		return 0;
	r = tl_xcalloc(n, sizeof(*r));
	for (i = 0; i < n; i++)
		r[i] = &s->runs[i];
	qsort(r, n, sizeof(*r), cmp_run);
	for (i = 0; i < n && rc == 0; i++) {
		/* j: first run of the next period of the same strategy */
		for (j = i + 1; j < n && strcmp(r[i]->strategy,
		    r[j]->strategy) == 0 && strcmp(r[i]->period,
		    r[j]->period) == 0; j++)
			;
		/* the first (by id) in that period with the same genome */
		for (k = j; k < n && strcmp(r[j]->strategy,
		    r[k]->strategy) == 0 && strcmp(r[j]->period,
		    r[k]->period) == 0 && strcmp(r[i]->genome,
		    r[k]->genome) != 0; k++)
			;
		if (k == n || strcmp(r[i]->strategy, r[k]->strategy) != 0 ||
		    strcmp(r[j]->period, r[k]->period) != 0) {
			(*last)++;
			continue;
		}
		(*rows)++;
		if (o == NULL)
			continue;
		tl_buf_reset(b);
		tl_buf_adds(b, "{\"strategy\":");
		tl_jv_append_string(b, r[i]->strategy, strlen(r[i]->strategy));
		tl_buf_adds(b, ",\"period\":");
		tl_jv_append_string(b, r[i]->period, strlen(r[i]->period));
		row_key(b, "genome", r[i]->genome);
		row_key(b, "metrics", r[i]->metrics);
		row_key(b, "next_roi", r[k]->roi);
		row_key(b, "next_sharpe", r[k]->sharpe);
		tl_buf_addc(b, '}');
		rc = emit_text(s, E_DATASET, b->data, b->len, err);
	}
	free(r);
	return rc;
}

/* Decisions and outcomes left waiting, each tagged with its kind: written
 * while rc is 0 (no earlier error), freed in any case.  Returns rc, or -1
 * with err set on a write error. */
static int
write_unmatched(struct state *s, struct tl_map *pend, const char *kind,
    unsigned long *count, int rc, struct tl_err *err)
{
	const char *key;
	uintptr_t v;
	size_t it, n;

	for (it = 0; tl_map_next(pend, &it, &key, &n, &v);) {
		(*count)++;
		if (rc == 0)
			rc = emit_unmatched(s, kind, (char *)v, err);
		free((char *)v);
	}
	return rc;
}

static int
unmatched_one(struct state *s, enum tl_kind k, char *text, size_t n,
    const void *arg, struct tl_err *err)
{
	const int *late = arg;

	if (*late) {
		leave_out(s, k);
		return 0;
	}
	s->c.unsignalled++;
	text[n] = '\0';	/* was the newline */
	return emit_unmatched(s, tl_kind_names[k], text, err);
}

/* Signal outcomes and counterfactuals whose signal was never read, as
 * write_unmatched(); those of a signal after --until are later. */
static int
write_unsignalled(struct state *s, int rc, struct tl_err *err)
{
	const char *key;
	uintptr_t v;
	size_t it, n;
	int late;

	for (it = 0; tl_map_next(s->pend_sig, &it, &key, &n, &v);) {
		late = tl_map_get(s->late_sigs, key, n) != NULL;
		if (rc == 0)
			rc = each_waiting(s, (char *)v, unmatched_one, &late,
			    err);
		free((char *)v);
	}
	return rc;
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

/* ---- main ---------------------------------------------------------- */

static const char *dir_files[E_NEMIT] = { "trades.jsonl", "decisions.jsonl",
	"outcomes.jsonl", "runs.jsonl", "promotions.jsonl",
	"retirements.jsonl", "returns.csv",
	"dataset.jsonl", "unmatched.jsonl", "signals.jsonl",
	"signal-outcomes.jsonl", "counterfactuals.jsonl" };

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

/* The kinds from signals on are counted in the summaries only when some
 * were read, so that a log without them says what it always said. */
#define FIRST_SIGNAL_KIND	TL_KIND_SIGNAL

static int
any_signal_kind(const struct counts *c)
{
	int k;

	for (k = FIRST_SIGNAL_KIND; k < TL_KIND_N; k++)
		if (c->kinds[k] > 0)
			return 1;
	return 0;
}

/* The counts of the summary line as one JSON object (tl-ingest-summary),
 * for the nightly report. */
static int
write_summary(struct tl_out *out, const struct state *s, size_t files,
    unsigned long rows, struct tl_err *err)
{
	const struct counts *c = &s->c;
	const struct source_count *sc;
	json_t *v, *kinds, *srcs, *e;
	size_t i;
	int rc, k;

	srcs = json_array();
	for (i = 0; i < s->nsrcs; i++) {
		sc = &s->srcs[i];
		e = json_pack("{s:s}", "format", tl_src_names[sc->fmt]);
		if (sc->map != NULL)
			json_object_set_new(e, "map", json_string(sc->map));
		json_object_set_new(e, "files", json_integer(
		    (json_int_t)sc->files));
		json_object_set_new(e, "records", json_integer(
		    (json_int_t)sc->records));
		json_object_set_new(e, "open", json_integer(
		    (json_int_t)sc->open));
		json_object_set_new(e, "left_out", json_integer(
		    (json_int_t)sc->left_out));
		json_array_append_new(srcs, e);
	}
	kinds = json_object();
	for (k = TL_KIND_NONE + 1; k < TL_KIND_N; k++)
		if (k < FIRST_SIGNAL_KIND || any_signal_kind(c))
			json_object_set_new(kinds, emit_names[kind_ops[k].emit],
			    json_integer((json_int_t)c->kinds[k]));
	v = json_pack("{s:s,s:i,s:I,s:I,s:I,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
	    "s:I,s:I,s:I,s:o}", "format", "tl-ingest-summary",
	    "version", 1, "files", (json_int_t)files,
	    "read", (json_int_t)c->read, "accepted", (json_int_t)c->accepted,
	    "kinds", kinds,
	    "duplicates", (json_int_t)c->dups,
	    "rejected", (json_int_t)c->rejected,
	    "conflicts", (json_int_t)c->conflicts,
	    "joined", (json_int_t)c->joined,
	    "unmatched_decisions", (json_int_t)c->unmatched,
	    "orphan_outcomes", (json_int_t)c->orphans,
	    "later", (json_int_t)c->later,
	    "strategies", (json_int_t)tl_map_count(s->strats),
	    "dataset_rows", (json_int_t)rows,
	    "renamed", (json_int_t)c->renamed,
	    "sources", srcs);
	if (any_signal_kind(c))
		json_object_set_new(v, "unmatched_signal_records",
		    json_integer((json_int_t)c->unsignalled));
	rc = tl_out_write(out, v, err);
	json_decref(v);
	return rc;
}

/* What was read of each format, on stderr: only when some input was not
 * our own JSON Lines or CSV, so that the usual night says one line. */
static void
print_sources(const struct state *s)
{
	const struct source_count *sc;
	struct tl_buf b;
	size_t i;
	int foreign = 0;

	for (i = 0; i < s->nsrcs; i++)
		foreign |= s->srcs[i].map != NULL || (s->srcs[i].fmt !=
		    TL_SRC_JSONL && s->srcs[i].fmt != TL_SRC_CSV);
	if (!foreign)
		return;
	tl_buf_init(&b);
	for (i = 0; i < s->nsrcs; i++) {
		sc = &s->srcs[i];
		tl_buf_printf(&b, "%s%s%s%s %lu file%s, %lu record%s",
		    i > 0 ? "; " : "", tl_src_names[sc->fmt],
		    sc->map != NULL ? " map " : "", sc->map != NULL ? sc->map :
		    "", sc->files, sc->files == 1 ? "" : "s", sc->records,
		    sc->records == 1 ? "" : "s");
		if (sc->open > 0)
			tl_buf_printf(&b, " (%lu open)", sc->open);
		if (sc->left_out > 0)
			tl_buf_printf(&b, " (%lu left out by the map)",
			    sc->left_out);
	}
	tl_msg("sources: %s", b.data);
	tl_buf_release(&b);
}

/* The summary line on stderr. */
static void
print_summary(const struct state *s, unsigned long rows)
{
	const struct counts *c = &s->c;
	struct tl_buf b;
	int k;

	tl_buf_init(&b);
	tl_buf_printf(&b, "read %lu, accepted %lu (", c->read, c->accepted);
	for (k = TL_KIND_NONE + 1; k < TL_KIND_N; k++)
		if (k < FIRST_SIGNAL_KIND || any_signal_kind(c))
			tl_buf_printf(&b, "%s%s %lu", k > TL_KIND_NONE + 1 ?
			    ", " : "", emit_names[kind_ops[k].emit],
			    c->kinds[k]);
	tl_buf_printf(&b, "), duplicates %lu, rejected %lu (conflicts %lu), "
	    "joined %lu, unmatched decisions %lu, orphan outcomes %lu, "
	    "dataset rows %lu", c->dups, c->rejected, c->conflicts,
	    c->joined, c->unmatched, c->orphans, rows);
	if (any_signal_kind(c))
		tl_buf_printf(&b, ", without their signal %lu",
		    c->unsignalled);
	if (s->alias != NULL)
		tl_buf_printf(&b, ", renamed %lu", c->renamed);
	tl_msg("%s", b.data);
	tl_buf_release(&b);
	print_sources(s);
}

/* Nothing usable read: as every tool, exit 65, saying why even with -q
 * (the outputs, empty, are written: a reader sees what was left). */
static int
nothing_usable(const struct state *s)
{
	if (s->c.read == 0)
		tl_msg("nothing usable: no records in the input");
	else if (s->c.later > 0 && s->c.later == s->c.read - s->c.rejected)
		tl_msg("nothing usable: %lu record(s) read, %lu rejected, "
		    "%lu after --until", s->c.read, s->c.rejected,
		    s->c.later);
	else
		tl_msg("nothing usable: %lu record(s) read, all rejected "
		    "(their reasons: -v or --rejects)", s->c.read);
	return TL_EX_DATAERR;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .capital = 100000, .emit = E_TRADES, .fill = 1,
	    .until = INT64_MAX, .max_record = MAX_RECORD_DEFAULT, .ifmt = -1 };
	struct state s;
	struct tl_err err = { 0 };
	struct tl_walk w;
	struct tl_out *summary = NULL;
	struct tl_progress *pr = NULL;
	unsigned long rows = 0, last = 0, undec = 0, unout = 0;
	int status = TL_EX_OK, e, rc = 0;
	double mb = 0;
	long ncpu;
	size_t i;

	tl_init("tl-ingest");
	parse_args(argc, argv, &o);
	if (o.threads == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		o.threads = ncpu > 0 ? (int)(ncpu < 1024 ? ncpu : 1024) : 1;
	}
	memset(&s, 0, sizeof(s));
	s.o = &o;
	s.pend_dec = tl_map_alloc();
	s.pend_out = tl_map_alloc();
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
	tl_buf_init(&s.buf);
	tl_buf_init(&s.tbuf);
	tl_jdoc_init(&s.doc);
	tl_jdoc_init(&s.cdoc);
	tl_jdoc_init(&s.tdoc);
	tl_jdoc_init(&s.sdoc);
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
	for (i = 0; i < (size_t)o.ninputs && rc == 0; i++)
		rc = tl_walk_add(&w, o.inputs[i], tl_warn, &err);
	if (o.ninputs == 0 && rc == 0)
		rc = tl_walk_add(&w, "-", tl_warn, &err);
	signals_first(&w);
	if (rc == 0)
		rc = open_outputs(&s, &err);
	/* opened first, so that a bad path fails before the work */
	if (rc == 0 && o.summary != NULL &&
	    (summary = tl_out_open(o.summary, TL_FMT_JSONL, &err)) == NULL)
		rc = -1;
	/* progress by files read, in MB: inputs over PROGRESS_MB */
	for (i = 0; i < w.n && rc == 0; i++)
		mb += path_mb(w.paths[i]);
	if (rc == 0 && (mb > PROGRESS_MB || o.progress == TL_PROGRESS_ON))
		pr = tl_progress_start("ingest", "MB", mb,
		    tl_progress_wanted(o.progress, o.quiet));
	if (rc == 0)
		rc = ingest_all(&s, &w, o.threads, pr, &err);
	tl_progress_end(pr);
	if (rc == 0)
		count_open_positions(&s);
	if (rc == 0)
		rc = write_returns(&s, &err);
	if (rc == 0)
		rc = write_dataset(&s, &rows, &last, &err);
	/* also on error: write_unmatched() frees what is still waiting */
	rc = write_unmatched(&s, s.pend_dec, "decision", &undec, rc, &err);
	rc = write_unmatched(&s, s.pend_out, "outcome", &unout, rc, &err);
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
		if (!o.quiet)
			print_summary(&s, rows);
		if (s.c.later > 0 && !o.quiet)
			tl_msg("left out %lu record(s) after --until",
			    s.c.later);
		if (summary != NULL && write_summary(summary, &s, w.n, rows,
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
	(void)last;
	for (i = 0; i < s.nruns; i++)
		free_run(&s.runs[i]);
	free(s.runs);
	free(s.seen.slot);
	tl_buf_release(&s.buf);
	tl_buf_release(&s.tbuf);
	tl_jdoc_release(&s.doc);
	tl_jdoc_release(&s.cdoc);
	tl_jdoc_release(&s.tdoc);
	tl_jdoc_release(&s.sdoc);
	free_strings(s.sigs);
	free_strings(s.sig_of_dec);
	tl_map_free(s.pend_sig);
	tl_map_free(s.late_sigs);
	tl_jdoc_release(&s.fdoc);
	tl_map_free(s.strats);
	free(s.days.slot);
	tl_map_free(s.pend_out);
	tl_map_free(s.pend_dec);
	tl_walk_release(&w);
	tl_alias_free(s.alias);
	for (i = 0; i < s.srcopts.nmaps; i++)
		tl_mapfile_free(s.maps[i]);
	free(s.srcs);
	tl_map_free(s.capitals);
	free(s.capv);
	return tl_exit_status(status);
}
