/*
 * The command line, the same way in every tool: words chosen from a name
 * table, comma lists, and (below) getopt_long with the deprecated
 * spellings of tl(7)'s interface table.  The finders fill a struct tl_err
 * and can be unit tested; the tl_parse_* forms end in a usage error
 * (print, exit 64) like tl_usage_error(): they are for parse_args() in
 * cmd/, before anything is allocated.
 */
#ifndef TL_OPT_H
#define TL_OPT_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#include "tl_err.h"
#include "tl_records.h"

/* ---- words ------------------------------------------------------------ */

/* The index of the entry named s in tab: n entries of size bytes, each
 * starting with its name (a const char *; NULL names are skipped, as in
 * tl_table_find).  Returns it, or -1 with err = TL_EX_USAGE, where = opt
 * and the one message for a word that is none of them:
 *     unknown 'x' (a, b or c)
 * When hint is not NULL and s looks like a file name (tl_opt_is_path),
 * the message goes on "; did you mean HINT?" (tl-calibrate's -m map.json:
 * "did you mean --map?"). */
long	tl_word_find(const char *opt, const char *s, const void *tab,
	    size_t n, size_t size, const char *hint, struct tl_err *err);

/* tl_word_find, or its message as a usage error. */
size_t	tl_parse_word(const char *opt, const char *s, const void *tab,
	    size_t n, size_t size, const char *hint);

/* For an array tab of TL_NELEM entries. */
#define TL_PARSE_WORD(opt, s, tab) \
	tl_parse_word(opt, s, tab, sizeof(tab) / sizeof((tab)[0]), \
	    sizeof((tab)[0]), NULL)

/* "a, b or c" of the names of tab (as tl_word_find) into buf of size
 * bytes (cut short if it does not fit). */
void	tl_word_list(char *buf, size_t size, const void *tab, size_t n,
	    size_t esize);

/* Does s look like the name of a file rather than a word: it exists, or
 * it holds a '/', or it ends in a '.' and a few letters ("map.json")? */
int	tl_opt_is_path(const char *s);

/* Threads for -T n: n itself, or for 0 ("every core") the cores online,
 * at least 1 and at most max. */
int	tl_threads(long n, int max);

/* The format word of -f (input 0: jsonl or csv) or -i (input 1: jsonl,
 * csv or json, a JSON document), or a usage error naming opt. */
enum tl_fmt tl_parse_format(const char *opt, const char *s, int input);

/* ---- lists ------------------------------------------------------------ */

/* Split s at each ',' into *n new strings (*out is new: free with
 * tl_free_strings).  Returns 0, or -1 with *out NULL, *n 0 and err =
 * TL_EX_USAGE, msg "an empty name" or "'x' twice", when an item is empty
 * or given twice. */
int	tl_split_list(const char *s, char ***out, size_t *n,
	    struct tl_err *err);

/* ---- getopt_long with deprecated spellings ---------------------------- */

/* A deprecated spelling of tl(7)'s interface table: an old short letter
 * ("-k") or long name ("--outdir"), and the long name of the option that
 * replaced it.  It works for one release; the tool's man page lists it
 * under DEPRECATED. */
struct tl_old_opt {
	const char	*old;		/* "-k" or "--outdir" */
	const char	*now;		/* "kind": a name in longopts */
};

/* What tl_getopt() parses: getopt_long's optstring (':' first) and
 * longopts, both holding the old spellings too, and the table of them. */
struct tl_getopt {
	const char		*optstring;	/* new and old letters */
	const struct option	*longopts;	/* new and old names */
	const struct tl_old_opt	*old;		/* the deprecated ones */
	size_t			 nold;		/* their number */
};

/* The next option, as getopt_long() returns it, except that an old
 * spelling returns the value (val) of the option that replaced it, after
 * the note of tl_opt_deprecated().  A missing value or an unknown option
 * is a usage error (exit 64) that names the option and, for an unknown
 * long one, the nearest long name ("did you mean --threshold?") or the
 * names an ambiguous prefix stands for.  Returns -1 after the last
 * option, as getopt_long(). */
int	tl_getopt(const struct tl_getopt *g, int argc, char *argv[]);

/* On a terminal (standard error a tty) only, so that scripts, pipes and
 * cron keep their exact output: "prog: note: OLD is deprecated: use --NOW
 * (see prog(1), DEPRECATED)". */
void	tl_opt_deprecated(const char *old, const char *now);

/* The long name (for messages: "--state") of the option whose val is ch
 * in longopts, or "-c" for a letter no long option has. */
const char *tl_opt_name(const struct option *longopts, int ch, char *buf,
	    size_t size);

/* ---- the files a command reads ----------------------------------------- */

/* A file an option names ("--state", path), NULL path: not given. */
struct tl_opt_file {
	const char	*opt;		/* "--state" */
	const char	*path;		/* as given; "-" is standard input */
};

/* Check the inputs of a command once parse_args() has them: nf files of
 * options and nops operands, which name standard input when they are
 * none and stdin_default is set.  '-' (or no operand) may stand for
 * standard input once: twice is a usage error naming both ("standard
 * input ('-') is read twice: by --state and by the input operands").  A
 * command that would read standard input when it is a terminal prints
 * its usage (usage(stderr)) and a line that says so, and exits 64, as jq
 * does: a tool never waits silently for typed input. */
void	tl_opt_inputs(const struct tl_opt_file *f, size_t nf,
	    char *const *ops, int nops, int stdin_default,
	    void (*usage)(FILE *));

#endif
