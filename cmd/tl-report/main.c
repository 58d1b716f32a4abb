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
	&health_section,
	&model_section,
	&candidates_section,
	&allocation_section,
	&overfit_section,
	&bandit_section,
	&regime_section,
	&calibration_section,
};
const size_t nsections = TL_NELEM(sections);

struct opts {
	const char	*json;		/* --json: facts also to this file */
	long		 top;		/* --top: rows per table */
	const char	*outdir;	/* -o, default the night directory */
	const char	*prev;		/* --prev: the night before */
	int		 quiet;		/* -q: no warnings on stderr */
	long		 stale_days;	/* --stale-days */
	const char	*title;		/* --title */
	const char	*night;		/* the night directory */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: tl-report [-q] [-j file] [-n top] [-o outdir] [-p prevdir]\n"
"                 [-S days] [-t title] nightdir\n");
	if (fp != stdout)
		return;
	fprintf(fp,
"\nWrite the nightly report of a night directory (see tl-report(1)):\n"
"report.md, report.html and report.json in OUTDIR.\n\n"
"  -h, --help            this help\n"
"  -j, --json=FILE       also write the facts (report.json) to FILE, - for\n"
"                        stdout\n"
"  -n, --top=N           rows per table and chart (10)\n"
"  -o, --output=DIR      where to write the report (the night directory)\n"
"  -p, --prev=DIR        the previous night, for what changed\n"
"  -q, --quiet           no warnings about missing or malformed inputs\n"
"  -S, --stale-days=N    a strategy without a trade for more than N days\n"
"                        before the last trade is stale (5)\n"
"  -t, --title=TEXT      the report's title\n"
"  -V, --version         print the version\n");
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", required_argument, NULL, 'j' },
		{ "top", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "prev", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "stale-days", required_argument, NULL, 'S' },
		{ "title", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct tl_err err = { 0 };
	int ch, bad = 0;

	while ((ch = getopt_long(argc, argv, ":hj:n:o:p:qS:t:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			exit(tl_exit_status(TL_EX_OK));
		case 'j':
			o->json = optarg;
			break;
		case 'n':
			bad = tl_parse_long("--top", optarg, 1, 1000, &o->top,
			    &err);
			break;
		case 'o':
			o->outdir = optarg;
			break;
		case 'p':
			o->prev = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'S':
			bad = tl_parse_long("--stale-days", optarg, 0, 100000,
			    &o->stale_days, &err);
			break;
		case 't':
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
static int
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

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
main(int argc, char *argv[])
{
	struct opts o = { .top = 10, .stale_days = 5,
	    .title = "tradelearn nightly report" };
	struct night today = { 0 }, prev = { 0 };
	struct tl_err err = { 0 };
	struct tl_buf md, html, js;
	struct tl_doc d;
	json_t *night;
	int status = TL_EX_OK, have_prev = 0;

	tl_init("tl-report");
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
	    .top = o.top, .stale_days = o.stale_days };
	load_night(&today);
	if (o.prev != NULL && !is_dir(o.prev)) {
		if (!o.quiet)
			tl_warn("%s: the previous night is not a directory: "
			    "nothing to compare", o.prev);
	} else if (o.prev != NULL) {
		prev = (struct night){ .dir = o.prev, .is_prev = 1,
		    .top = PREV_TOP, .stale_days = o.stale_days };
		load_night(&prev);
		have_prev = 1;
	}

	/* compute */
	night = json_object_get(today.facts, "night");
	puts_(night, "title", o.title);
	puts_(night, "prev_date", have_prev ? fstr(json_object_get(prev.facts,
	    "night"), "date") : NULL);
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
