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

/* The format word of -f (input 0: jsonl or csv) or -i (input 1: jsonl
 * or csv), or a usage error naming opt. */
enum tl_fmt tl_parse_format(const char *opt, const char *s, int input);

/* ---- lists ------------------------------------------------------------ */

/* Split s at each ',' into *n new strings (*out is new: free with
 * tl_free_strings).  Returns 0, or -1 with *out NULL, *n 0 and err =
 * TL_EX_USAGE, msg "an empty name" or "'x' twice", when an item is empty
 * or given twice. */
int	tl_split_list(const char *s, char ***out, size_t *n,
	    struct tl_err *err);

#endif
