/*
 * One line of progress on standard error for long work: what is done,
 * of how much, the rate and the time left, redrawn in place at most ten
 * times a second and erased at the end.  Only when the tool asked for it
 * (tl_progress_wanted: a terminal, no -q, no --no-progress; or
 * --progress), so that a pipe, a file or cron never gets a progress byte
 * and every result stays the same bytes.  The one part of lib/ that
 * writes to a stream the caller did not hand it: the line is the user's
 * view of the work, not data.  Safe to update from worker threads.
 */
#ifndef TL_PROGRESS_H
#define TL_PROGRESS_H

#include <stdint.h>

struct tl_progress;

/* --progress / --no-progress: what the options said. */
enum tl_progress_opt {
	TL_PROGRESS_AUTO = 0,	/* neither: on a terminal, unless -q */
	TL_PROGRESS_ON,		/* --progress: always (as git's) */
	TL_PROGRESS_OFF		/* --no-progress */
};

/* Whether to draw: TL_PROGRESS_ON, or AUTO with standard error a
 * terminal and not quiet. */
int	tl_progress_wanted(enum tl_progress_opt opt, int quiet);

/* A new line for what ("train"), counting unit ("trees") toward total
 * (0: unknown, no ETA), or NULL when on is 0: every function takes NULL
 * and does nothing.  The first update draws the line, whatever the time,
 * and so does the one that reaches the total (a test can count on both);
 * the others a tenth of a second apart. */
struct tl_progress *tl_progress_start(const char *what, const char *unit,
	    double total, int on);

/* done units so far / n more.  Redraws when a tenth of a second has
 * passed since the last time. */
void	tl_progress_set(struct tl_progress *p, double done);
void	tl_progress_add(struct tl_progress *p, double n);

/* A new total (the work turned out larger or smaller). */
void	tl_progress_total(struct tl_progress *p, double total);

/* Erase the line and free p. */
void	tl_progress_end(struct tl_progress *p);

/* The line as drawn after elapsed seconds, into buf (for the tests):
 * "train: 37/200 trees (18%), 18.5/s, ETA 9 s". */
void	tl_progress_format(char *buf, size_t size, const char *what,
	    const char *unit, double done, double total, double elapsed);

#endif
