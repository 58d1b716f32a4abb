/* Unit tests for lib/tl_synth_model: the planted model's tables are
 * consistent (probabilities sum to 1, ranges within the symbols). */
#include <criterion/criterion.h>

#include "tl_synth_model.h"

#define SUM_TOL	1e-12	/* a table of probabilities sums to 1 */

Test(tl_synth_model, regime_chain_is_a_distribution)
{
	double sum = 0, row;
	int a, b;

	for (a = 0; a < TL_SYNTH_NREGIME; a++) {
		sum += tl_synth_regime_init[a];
		row = 0;
		for (b = 0; b < TL_SYNTH_NREGIME; b++) {
			cr_assert_geq(tl_synth_regime_trans[a][b], 0);
			row += tl_synth_regime_trans[a][b];
		}
		cr_assert_float_eq(row, 1, SUM_TOL, "row %d", a);
		cr_assert(tl_synth_regime_long[a] > 0 &&
		    tl_synth_regime_long[a] < 1);
		cr_assert_gt(tl_synth_regime_ret_sd[a], 0);
		cr_assert_gt(tl_synth_regime_vol[a], 0);
	}
	cr_assert_float_eq(sum, 1, SUM_TOL);
	cr_assert_str_eq(tl_synth_regime_names[TL_SYNTH_BEAR], "bear");
}

Test(tl_synth_model, universes_lie_within_the_symbols)
{
	int u;

	for (u = 0; u < TL_SYNTH_NUNIVERSE; u++) {
		cr_assert_geq(tl_synth_universe_lo[u], 0);
		cr_assert_gt(tl_synth_universe_n[u], 0);
		cr_assert_leq(tl_synth_universe_lo[u] + tl_synth_universe_n[u],
		    TL_SYNTH_NSYM, "universe %s", tl_synth_universe_names[u]);
	}
	cr_assert_eq(tl_synth_universe_n[TL_SYNTH_U_BROAD], TL_SYNTH_NSYM);
	cr_assert_str_eq(tl_synth_sym_names[TL_SYNTH_NSYM - 1], "DIA");
	cr_assert_eq(tl_synth_sym_price[0], 18720);
}

Test(tl_synth_model, win_probability_ranges_nest)
{
	/* promoted edges lie within the clip of any edge; the confidence
	 * clip maps back into the win probability's */
	cr_assert_leq(TL_SYNTH_PROMO_EDGE_HI, TL_SYNTH_EDGE_MAX);
	cr_assert_lt(TL_SYNTH_PROMO_EDGE_LO, TL_SYNTH_PROMO_EDGE_HI);
	cr_assert_geq((TL_SYNTH_CONF_LO - 0.5) / TL_SYNTH_CONF_SLOPE + 0.5,
	    TL_SYNTH_P_LO);
	cr_assert_leq((TL_SYNTH_CONF_HI - 0.5) / TL_SYNTH_CONF_SLOPE + 0.5,
	    TL_SYNTH_P_HI);
	cr_assert_str_eq(tl_synth_signal_names[TL_SYNTH_SIG_VOLUME_SPIKE],
	    "volume_spike");
	cr_assert_str_eq(tl_synth_comp_names[TL_SYNTH_COMP_AIX], "ai");
	cr_assert_str_eq(tl_synth_reason_names[TL_SYNTH_R_SIGNAL_EXIT],
	    "signal_exit");
}
