/*
 * Errors, exit codes and messages shared by every tool.  lib/ fills a
 * struct tl_err and returns -1 (or NULL); only main() prints (tl_report)
 * and decides the exit status.  Codes are those of sysexits(3).
 */
#ifndef TL_ERR_H
#define TL_ERR_H

#include <stddef.h>

enum {
	TL_EX_OK = 0,		/* success */
	TL_EX_FALSE = 1,	/* a check said "no"; not an error */
	TL_EX_USAGE = 64,	/* bad option or argument */
	TL_EX_DATAERR = 65,	/* input readable but wrong */
	TL_EX_NOINPUT = 66,	/* cannot open an input file */
	TL_EX_SOFTWARE = 70,	/* bug, numerical failure, out of memory */
	TL_EX_CANTCREAT = 73,	/* cannot create the -o file */
	TL_EX_IOERR = 74,	/* read or write error */
	TL_EX_TEMPFAIL = 75	/* try later (lock held) */
};

struct tl_err {
	int	code;		/* TL_EX_*; 0 when no error is set */
	char	where[512];	/* "trades.jsonl:12", "--seed" or "" */
	char	msg[1024];	/* what went wrong, no program name */
};

/* Set err (if not NULL) and return -1.  name may be NULL (no position);
 * line 0 means "name" alone, otherwise "name:line".  name and the
 * arguments may be err's own where and msg (to prefix a message). */
int	tl_err_set(struct tl_err *err, int code, const char *name,
	    unsigned long line, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

/* Clear err to "no error". */
void	tl_err_clear(struct tl_err *err);

/* Remember the program name for messages and turn off GSL's aborting
 * error handler.  name is borrowed for the life of the program. */
void	tl_init(const char *name);

/* The name given to tl_init(); borrowed. */
const char *tl_progname(void);

/* Print "prog: where: msg" on stderr and return err->code (70 if unset). */
int	tl_report(const struct tl_err *err);

/* A function that every message calls first (NULL: none): tl_progress
 * erases its line there, so that a warning starts a line of its own. */
void	tl_msg_hook(void (*before)(void));

/* Print "prog: warning: ..." / "prog: ..." on stderr. */
void	tl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	tl_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "prog: msg" and exit(TL_EX_USAGE) after "try 'prog --help'".
 * Only for parse_args() in cmd/, before anything is allocated. */
void	tl_usage_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* Flush and close stdout; -1 on a write error (disk full, closed pipe). */
int	tl_close_stdout(void);

/* The one way out of memory ends: "prog: out of memory" and exit 70.
 * The only exit lib/ takes (tl_xmalloc and every allocator that cannot
 * return NULL to its caller). */
void	tl_oom(void) __attribute__((noreturn));

/* Close stdout and give the exit status: status, or TL_EX_IOERR after a
 * "prog: write error: ..." message if status was TL_EX_OK and stdout
 * could not be written (disk full, closed pipe). */
int	tl_exit_status(int status);

/* For getopt's ':' (a missing value) and anything else it refuses: the
 * usage error naming arg (argv[optind - 1]).  Exits 64. */
void	tl_bad_option(int ch, const char *arg) __attribute__((noreturn));

/* Print "prog VERSION" and exit (74 if stdout cannot be written). */
void	tl_version_exit(void) __attribute__((noreturn));

/* The subcommand argv[i] among the n names: its index, or a usage error
 * "a command is needed: fit, apply or report" / "unknown command 'x'
 * (...)".  For parse_args() after getopt. */
int	tl_command(int argc, char *argv[], int i, const char *const *names,
	    int n);

#endif
