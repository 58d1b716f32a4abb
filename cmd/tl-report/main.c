/*
 * tl-report: the nightly knowledge summary.  It reads the files a night's
 * run left in its directory (and, with --prev, those of the night before),
 * turns them into one object of facts, and writes that object three ways:
 * report.json (the facts, full precision), report.md (short text for a
 * person or an assistant) and report.html (one self-contained page with
 * charts).  Every input is optional and read defensively: a missing file
 * makes its section say "not run tonight", a malformed one a warning and
 * a degraded section, a missing or mistyped field "n/a" and a note; no
 * input can make it crash or invent a figure.
 *
 * The parts: load.c reads a night (the reading and the facts helpers),
 * one file per section reads its inputs into facts and shows them (the
 * field names of each input live in its *_fields() functions only: when
 * a tool changes its output, that function is the one place to adjust),
 * facts.c compares two nights and lists what needs attention, page.c
 * makes the document that lib/tl_doc renders.  To add a section: a file
 * with its struct section, and its row in sections[] below.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "tl_doc.h"
#include "tl_err.h"
#include "tl_json.h"
#include "tl_out.h"
#include "tl_util.h"

#include "report.h"

#define PREV_TOP	1000000	/* the night before: every row, to compare */

/* The sections, in the order of the facts and of the page. */
const struct section *const sections[] = {
	&pipeline_section,
	&book_section,
	&health_section,
	&model_section,
	&candidates_section,
	&allocation_section,
	&overfit_section,
	&bandit_section,
	&policy_section,
	&regime_section,
	&calibration_section,
};
const size_t nsections = TL_NELEM(sections);

struct opts {
	const char	*json;		/* --json: facts also to this file */
	long		 top;		/* --top: rows per table */
	const char	*outdir;	/* -d, default the night directory */
	const char	*prev;		/* --prev: the night before */
	const char	*history;	/* --history: its link */
	int		 quiet;		/* -q: no warnings on stderr */
	long		 stale_days;	/* --stale-days */
	long		 stale_logs;	/* --stale-logs */
	double		 turnover_warn;	/* --turnover-warn */
	const char	*title;		/* --title */
	const char	*night;		/* the night directory */
};

/* long options without a short one, and the deprecated spellings */
enum {
	O_HISTORY = 256, O_JSON, O_OUTPUT, O_STALE_DAYS, O_STALE_LOGS,
	O_TITLE, O_TOP,
	O_TURNOVER_WARN
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-report [-q] [-d outdir] [-p prevdir] [--history url] [--json file]\n"
"                 [--stale-days days] [--stale-logs days] [--title title]\n"
"                 [--top n] [--turnover-warn fraction] nightdir\n"
"       tl-report history [-q] [-f format] [--since date] statedir\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nWrite the nightly report of a night directory (see tl-report(1)):\n"
"report.md, report.html and report.json in OUTDIR.  With history: the\n"
"history of the nights of a tl-nightly state directory.\n\n"
"  -d, --output-dir=DIR  where to write the report (the night directory)\n"
"  -h, --help            this help\n"
"      --history=URL     link the page to the history page at URL\n"
"                        (relative to the report)\n"
"      --json=FILE       also write the facts (report.json) to FILE, - for\n"
"                        stdout\n"
"  -p, --prev=DIR        the previous night, for what changed and the\n"
"                        book's record\n"
"  -q, --quiet           no warnings about missing or malformed inputs\n"
"      --stale-days=N    a strategy without a trade for more than N\n"
"                        calendar days before the night is stale (5)\n"
"      --stale-logs=N    logs whose newest record is more than N calendar\n"
"                        days before the night need attention (3)\n"
"      --title=TEXT      the report's title\n"
"      --top=N           rows per table and chart (10)\n"
"      --turnover-warn=F an allocation turnover above F (sum of |change|\n"
"                        of the weights) needs attention (0.5)\n"
"  -V, --version         print the version\n"
"\nhistory: read every published night of STATEDIR/nights; write\n"
"STATEDIR/nights/index.jsonl, STATEDIR/history.html and .md, and\n"
"STATEDIR/nights/history.html:\n"
"  -f, --format=FMT      instead, the index to stdout: jsonl or csv\n"
"      --since=DATE      only the nights from DATE (YYYY-MM-DD) on\n"
"\nDeprecated (see tl-report(1), DEPRECATED): -o DIR and --output=DIR for\n"
"-d, -j for --json, -n for --top, -S for --stale-days, -t for --title.\n");
}

/* A deprecated spelling: a note on a terminal only, so that scripts and
 * cron keep their output. */
static void
deprecated(const char *old, const char *use)
{
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "tl-report: note: %s is deprecated: use %s (see "
		    "tl-report(1), DEPRECATED)\n", old, use);
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "history", required_argument, NULL, O_HISTORY },
		{ "json", required_argument, NULL, O_JSON },
		{ "output", required_argument, NULL, O_OUTPUT },
		{ "output-dir", required_argument, NULL, 'd' },
		{ "prev", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "stale-days", required_argument, NULL, O_STALE_DAYS },
		{ "stale-logs", required_argument, NULL, O_STALE_LOGS },
		{ "title", required_argument, NULL, O_TITLE },
		{ "top", required_argument, NULL, O_TOP },
		{ "turnover-warn", required_argument, NULL, O_TURNOVER_WARN },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct tl_err err = { 0 };
	int ch, bad = 0;

	while ((ch = getopt_long(argc, argv, ":d:hj:n:o:p:qS:t:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd':
			o->outdir = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case 'j':
			deprecated("-j", "--json");
			/* FALLTHROUGH */
		case O_JSON:
			o->json = optarg;
			break;
		case O_HISTORY:
			o->history = optarg;
			break;
		case 'n':
			deprecated("-n", "--top");
			/* FALLTHROUGH */
		case O_TOP:
			bad = tl_parse_long("--top", optarg, 1, 1000, &o->top,
			    &err);
			break;
		case O_TURNOVER_WARN:
			bad = tl_parse_double("--turnover-warn", optarg, 0, 2,
			    &o->turnover_warn, &err);
			break;
		case 'o':
			deprecated("-o", "-d");
			o->outdir = optarg;
			break;
		case O_OUTPUT:
			deprecated("--output", "--output-dir");
			o->outdir = optarg;
			break;
		case 'p':
			o->prev = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'S':
			deprecated("-S", "--stale-days");
			/* FALLTHROUGH */
		case O_STALE_DAYS:
			bad = tl_parse_long("--stale-days", optarg, 0, 100000,
			    &o->stale_days, &err);
			break;
		case O_STALE_LOGS:
			bad = tl_parse_long("--stale-logs", optarg, 0, 100000,
			    &o->stale_logs, &err);
			break;
		case 't':
			deprecated("-t", "--title");
			/* FALLTHROUGH */
		case O_TITLE:
			o->title = optarg;
			break;
		case 'V':
			tl_version_exit();
		default:
			tl_bad_option(ch, argv[optind - 1]);
		}
		if (bad)
			tl_usage_error("%s: %s", err.where, err.msg);
	}
	if (optind >= argc)
		tl_usage_error("the night directory is needed");
	if (optind + 1 < argc)
		tl_usage_error("one night directory, not %d", argc - optind);
	o->night = argv[optind];
	if (o->outdir == NULL)
		o->outdir = o->night;
}

/* b into path, through a temporary file renamed into place */
int
write_file(const char *path, const struct tl_buf *b, struct tl_err *err)
{
	struct tl_out *o;

	if ((o = tl_out_open(path, TL_FMT_JSONL, err)) == NULL)
		return -1;
	if (tl_out_raw(o, b->data, b->len, err) == -1) {
		tl_out_abort(o);
		return -1;
	}
	return tl_out_close(o, err);
}

/* The three reports into dir, in this order.  Returns 0, or -1 with err
 * set at the first that could not be written. */
static int
write_reports(const char *dir, const struct tl_buf *js,
    const struct tl_buf *md, const struct tl_buf *html, struct tl_err *err)
{
	const struct {
		const char		*name;
		const struct tl_buf	*b;
	} out[] = {
		{ "report.json", js },
		{ "report.md", md },
		{ "report.html", html },
	};
	char *path;
	size_t i;
	int rc = 0;

	for (i = 0; i < TL_NELEM(out) && rc == 0; i++) {
		path = path_of(dir, out[i].name);
		rc = write_file(path, out[i].b, err);
		free(path);
	}
	return rc;
}

/* The first k file names the sections looked for in facts, then "...":
 * what a night directory would hold. */
static void
some_inputs(struct tl_buf *b, const json_t *facts, size_t k)
{
	const char *name;
	size_t i, n = 0;
	json_t *st;

	for (i = 0; i < nsections && n < k; i++)
		json_object_foreach(json_object_get(json_object_get(facts,
		    sections[i]->name), "files"), name, st) {
			if (n == k)
				break;
			tl_buf_printf(b, "%s%s", n++ > 0 ? ", " : "", name);
		}
	tl_buf_adds(b, ", ...");
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
main(int argc, char *argv[])
{
	struct opts o = { .top = 10, .stale_days = 5, .stale_logs = 3,
	    .turnover_warn = 0.5,
	    .title = "tradelearn nightly report" };
	struct night today = { 0 }, prev = { 0 };
	struct tl_err err = { 0 };
	struct tl_buf md, html, js, b;
	struct tl_doc d;
	const char *previous;
	json_t *night;
	int status = TL_EX_OK, have_prev = 0;

	tl_init("tl-report");
	if (argc > 1 && strcmp(argv[1], "history") == 0)
		return history_main(argc - 1, argv + 1);
	parse_args(argc, argv, &o);
	tl_doc_init(&d);
	tl_buf_init(&md);
	tl_buf_init(&html);
	tl_buf_init(&js);
	if (!is_dir(o.night)) {
		tl_err_set(&err, TL_EX_NOINPUT, o.night, 0, "%s",
		    errno == ENOTDIR || exists(o.night) ? "not a directory" :
		    strerror(errno));
		status = tl_report(&err);
		goto out;
	}

	/* read */
	today = (struct night){ .dir = o.night, .quiet = o.quiet,
	    .top = o.top, .stale_days = o.stale_days,
	    .stale_logs = o.stale_logs, .turnover_warn = o.turnover_warn, .history = o.history };
	load_night(&today);
	/* a mistyped path would otherwise be a report of nothing, exit 0;
	 * tl-nightly's nights always hold pipeline.json */
	if (today.ninputs == 0) {
		tl_buf_init(&b);
		some_inputs(&b, today.facts, 3);
		tl_err_set(&err, TL_EX_NOINPUT, o.night, 0, "none of its "
		    "inputs (%s): not a night directory?", b.data);
		tl_buf_release(&b);
		status = tl_report(&err);
		goto out;
	}
	if (o.prev != NULL && !is_dir(o.prev)) {
		if (!o.quiet)
			tl_warn("%s: the previous night is not a directory: "
			    "nothing to compare", o.prev);
	} else if (o.prev != NULL) {
		prev = (struct night){ .dir = o.prev, .is_prev = 1,
		    .top = PREV_TOP, .stale_days = o.stale_days,
		    .stale_logs = o.stale_logs,
		    .turnover_warn = o.turnover_warn };
		load_night(&prev);
		have_prev = 1;
	}

	/* compute */
	night = json_object_get(today.facts, "night");
	puts_(night, "title", o.title);
	puts_(night, "prev_date", have_prev ? fstr(json_object_get(prev.facts,
	    "night"), "date") : NULL);
	/* the first night: no night before it given, and the pipeline says
	 * there was none */
	previous = fstr(json_object_get(today.facts, "pipeline"), "previous");
	put(night, "first", json_boolean(!have_prev && previous != NULL &&
	    previous[0] == '\0'));
	book_compute(&today, have_prev ? &prev : NULL);
	compare(today.facts, have_prev ? prev.facts : NULL);
	conclude(today.facts);

	/* write */
	build_doc(&d, &today, o.title, have_prev);
	tl_doc_markdown(&md, &d);
	tl_doc_html(&html, &d, o.title);
	tl_json_append(&js, today.facts);
	tl_buf_addc(&js, '\n');
	if (!is_dir(o.outdir) && mkdir(o.outdir, 0777) == -1) {
		tl_err_set(&err, TL_EX_CANTCREAT, o.outdir, 0, "cannot create "
		    "the directory: %s", strerror(errno));
		status = tl_report(&err);
	} else if (write_reports(o.outdir, &js, &md, &html, &err) == -1 ||
	    (o.json != NULL && write_file(o.json, &js, &err) == -1))
		status = tl_report(&err);
out:
	tl_doc_release(&d);
	tl_buf_release(&md);
	tl_buf_release(&html);
	tl_buf_release(&js);
	night_release(&today);
	night_release(&prev);
	return tl_exit_status(status);
}
