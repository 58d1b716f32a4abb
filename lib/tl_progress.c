/*
 * The progress line (see tl_progress.h): "\r" and the text, then "ESC[K"
 * to clear what a longer line left; at the end the line is erased.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tl_err.h"
#include "tl_num.h"
#include "tl_progress.h"
#include "tl_util.h"

#define REDRAW_S	0.1	/* at most ten lines a second */

struct tl_progress {
	pthread_mutex_t	 lock;		/* updates come from workers */
	char		*what;		/* "train" */
	char		*unit;		/* "trees" */
	double		 total;		/* 0: unknown */
	double		 done;		/* so far */
	double		 t0;		/* start, monotonic seconds */
	double		 last;		/* last drawn; 0: never */
};

static struct tl_progress *shown;	/* the line on the screen */

/* tl_msg_hook: erase the line before a message; the next update draws
 * it again below. */
static void
erase(void)
{
	struct tl_progress *p = shown;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->last > 0) {
		fputs("\r\033[K", stderr);
		p->last = 0;
	}
	pthread_mutex_unlock(&p->lock);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
tl_progress_wanted(enum tl_progress_opt opt, int quiet)
{
	if (opt == TL_PROGRESS_ON)
		return 1;
	return opt == TL_PROGRESS_AUTO && !quiet && isatty(STDERR_FILENO);
}

struct tl_progress *
tl_progress_start(const char *what, const char *unit, double total, int on)
{
	struct tl_progress *p;

	if (!on)
		return NULL;
	p = tl_xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	p->what = tl_xstrdup(what);
	p->unit = tl_xstrdup(unit);
	p->total = total;
	p->t0 = now();
	shown = p;
	tl_msg_hook(erase);
	return p;
}

/* x >= 0 with k decimals, by tl_num's one writer of fixed decimals. */
static void
fixed(char *buf, double x, int k)
{
	tl_fmt_decimal(buf, 0, (unsigned long long)llround(x * pow(10, k)),
	    k);
}

/* A count as text: 1234567 -> "1234567", 12.5 -> "12.5". */
static void
count(char *buf, double x)
{
	fixed(buf, x, x == floor(x) ? 0 : 1);
}

/* A rate: whole numbers from 100, one decimal from 1 (and 0), two
 * significant digits below 1 ("0.017"). */
static void
rate_text(char *buf, double r)
{
	int k;

	if (r >= 100)
		k = 0;
	else if (r >= 1 || r <= 0)
		k = 1;
	else {
		k = 1 - (int)floor(log10(r));
		if (llround(r * pow(10, k)) >= 100)	/* 0.0999: 0.1 */
			k--;
	}
	fixed(buf, r > 0 ? r : 0, k);
}

/* Seconds as "9 s", "3 min 5 s", "2 h 10 min". */
static void
duration(char *buf, size_t size, double s)
{
	long t = lround(s);

	if (t < 60)
		snprintf(buf, size, "%ld s", t);
	else if (t < 3600)
		snprintf(buf, size, "%ld min %ld s", t / 60, t % 60);
	else
		snprintf(buf, size, "%ld h %ld min", t / 3600, t / 60 % 60);
}

void
tl_progress_format(char *buf, size_t size, const char *what,
    const char *unit, double done, double total, double elapsed)
{
	char d[TL_NUM_BUFSZ], t[TL_NUM_BUFSZ], rate[TL_NUM_BUFSZ];
	char eta[48] = "";
	double r = elapsed > 0 ? done / elapsed : 0;
	size_t len;

	count(d, done);
	rate_text(rate, r);
	if (total > 0) {
		count(t, total);
		if (r > 0 && done < total) {
			strcpy(eta, ", ETA ");
			len = strlen(eta);
			duration(eta + len, sizeof(eta) - len,
			    (total - done) / r);
		}
		/* done == total is 100% even where 100 * done / total
		 * rounds below it */
		snprintf(buf, size, "%s: %s/%s %s (%d%%), %s/s%s", what, d, t,
		    unit, done >= total ? 100 : (int)floor(100 * done / total),
		    rate, eta);
	} else
		snprintf(buf, size, "%s: %s %s, %s/s", what, d, unit, rate);
}

/* Draw the line if it is time (the first time, the last, when all is
 * done, or a tenth of a second after the last); the lock is held. */
static void
draw(struct tl_progress *p)
{
	char line[256];
	double t = now();

	if (p->last > 0 && t - p->last < REDRAW_S && !(p->total > 0 &&
	    p->done >= p->total))
		return;
	p->last = t;
	tl_progress_format(line, sizeof(line), p->what, p->unit, p->done,
	    p->total, t - p->t0);
	fprintf(stderr, "\r%s: %s\033[K", tl_progname(), line);
	fflush(stderr);
}

/* done = x, or done += x when add. */
static void
update(struct tl_progress *p, double x, int add)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->done = add ? p->done + x : x;
	draw(p);
	pthread_mutex_unlock(&p->lock);
}

void
tl_progress_set(struct tl_progress *p, double done)
{
	update(p, done, 0);
}

void
tl_progress_add(struct tl_progress *p, double n)
{
	update(p, n, 1);
}

void
tl_progress_total(struct tl_progress *p, double total)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->total = total;
	pthread_mutex_unlock(&p->lock);
}

void
tl_progress_end(struct tl_progress *p)
{
	if (p == NULL)
		return;
	if (p->last > 0) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	if (shown == p) {
		shown = NULL;
		tl_msg_hook(NULL);
	}
	pthread_mutex_destroy(&p->lock);
	free(p->what);
	free(p->unit);
	free(p);
}
