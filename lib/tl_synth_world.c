/*
 * The world of a synthetic log (tl_synth_world.h): calendar, regimes,
 * market series, period regime terms and price paths, in this order of
 * draws from the world's stream.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "tl_synth_draw.h"
#include "tl_synth_world.h"
#include "tl_time.h"
#include "tl_util.h"

int
tl_synth_weekday(int64_t z)
{
	return (int)(((z + 4) % 7 + 7) % 7);
}

static int
weekend(int64_t z)
{
	return tl_synth_weekday(z) == 0 || tl_synth_weekday(z) == 6;
}

long
tl_synth_month_of(int64_t z)
{
	int y, m, d;

	tl_civil_from_days(z, &y, &m, &d);
	return (long)y * 12 + m - 1;
}

int64_t
tl_synth_month_first(long month)
{
	return tl_days_from_civil((int)(month / 12), (int)(month % 12 + 1), 1);
}

/* The regime term of each period: its share of bull minus bear weekdays
 * times TL_SYNTH_ROI_REGIME (0 for a period without weekdays). */
static void
period_terms(struct tl_synth_world *w)
{
	size_t i, k, *cnt, *n;
	long p, np = (long)w->nperiod;

	w->pterm = tl_xcalloc(w->nperiod, sizeof(*w->pterm));
	cnt = tl_xcalloc(w->nperiod * TL_SYNTH_NREGIME, sizeof(*cnt));
	for (i = 0; i < w->nc; i++) {
		p = tl_synth_month_of(w->cday[i]) - w->month0;
		if (p >= 0 && p < np)
			cnt[p * TL_SYNTH_NREGIME + w->creg[i]]++;
	}
	for (p = 0; p < np; p++) {
		n = cnt + p * TL_SYNTH_NREGIME;
		k = n[TL_SYNTH_BULL] + n[TL_SYNTH_BEAR] + n[TL_SYNTH_CHOP];
		w->pterm[p] = k == 0 ? 0 : TL_SYNTH_ROI_REGIME *
		    ((double)n[TL_SYNTH_BULL] - (double)n[TL_SYNTH_BEAR]) /
		    (double)k;
	}
	free(cnt);
}

void
tl_synth_world_init(struct tl_synth_world *w, int64_t start, size_t days,
    size_t periods, gsl_rng *r)
{
	int64_t first, z, last;
	size_t i, cap;
	double ret, vol;
	int g;

	memset(w, 0, sizeof(*w));
	for (z = start; weekend(z); z++)
		;
	first = z;
	for (i = 1; i < days; i++) {
		z++;
		while (weekend(z))
			z++;
	}
	last = z;
	w->nperiod = periods;
	w->month0 = tl_synth_month_of(last) - ((long)periods - 1);
	z = tl_synth_month_first(w->month0);
	if (first < z)
		z = first;
	cap = (size_t)(last - z + 1);
	w->cday = tl_xcalloc(cap, sizeof(*w->cday));
	w->creg = tl_xcalloc(cap, 1);
	g = tl_synth_pick(r, tl_synth_regime_init, TL_SYNTH_NREGIME);
	for (; z <= last; z++) {
		if (weekend(z))
			continue;
		if (w->nc > 0)
			g = tl_synth_pick(r, tl_synth_regime_trans[g],
			    TL_SYNTH_NREGIME);
		if (z == first)
			w->off = w->nc;
		w->cday[w->nc] = z;
		w->creg[w->nc++] = (unsigned char)g;
	}
	w->nd = days;
	w->ret_u = tl_xcalloc(w->nd, sizeof(*w->ret_u));
	w->vol_u = tl_xcalloc(w->nd, sizeof(*w->vol_u));
	for (i = 0; i < w->nd; i++) {
		g = tl_synth_world_regime(w, i);
		ret = tl_synth_regime_ret_mean[g] +
		    gsl_ran_gaussian(r, tl_synth_regime_ret_sd[g]);
		vol = tl_synth_regime_vol[g] *
		    exp(gsl_ran_gaussian(r, TL_SYNTH_VOL_LOG_SD));
		w->ret_u[i] = tl_synth_units(ret, 1e6);
		w->vol_u[i] = tl_synth_units(vol, 1e4);
	}
	period_terms(w);
}

void
tl_synth_world_prices(struct tl_synth_world *w, gsl_rng *r)
{
	double px[TL_SYNTH_NSYM], lr;
	size_t d, i;

	w->price = tl_xcalloc(w->nd, sizeof(px));
	for (i = 0; i < TL_SYNTH_NSYM; i++)
		px[i] = tl_synth_sym_price[i] / 100.0;
	for (d = 0; d < w->nd; d++) {
		for (i = 0; i < TL_SYNTH_NSYM; i++) {
			lr = w->ret_u[d] / 1e6 + gsl_ran_gaussian(r,
			    TL_SYNTH_SYM_SD);
			px[i] *= exp(lr);
		}
		memcpy(w->price + d * TL_SYNTH_NSYM, px, sizeof(px));
	}
}

void
tl_synth_world_release(struct tl_synth_world *w)
{
	free(w->cday);
	free(w->creg);
	free(w->ret_u);
	free(w->vol_u);
	free(w->pterm);
	free(w->price);
	memset(w, 0, sizeof(*w));
}
