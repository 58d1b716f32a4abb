/*
 * The name tables and the regime chain of the planted model
 * (tl_synth_model.h).  Their order is part of the bytes of a log: a new
 * entry goes at the end, and changes every log that draws from the table.
 */
#include "tl_synth_model.h"

const char *const tl_synth_regime_names[TL_SYNTH_NREGIME] = { "bull", "bear",
	"chop" };
const double tl_synth_regime_trans[TL_SYNTH_NREGIME][TL_SYNTH_NREGIME] = {
	{ 0.96, 0.01, 0.03 },
	{ 0.02, 0.94, 0.04 },
	{ 0.03, 0.02, 0.95 },
};
const double tl_synth_regime_init[TL_SYNTH_NREGIME] = { 0.45, 0.20, 0.35 };
const double tl_synth_regime_ret_mean[TL_SYNTH_NREGIME] = { 0.0008, -0.0012,
	0.0 };
const double tl_synth_regime_ret_sd[TL_SYNTH_NREGIME] = { 0.008, 0.016,
	0.010 };
const double tl_synth_regime_vol[TL_SYNTH_NREGIME] = { 0.12, 0.28, 0.18 };
const double tl_synth_regime_long[TL_SYNTH_NREGIME] = { 0.6, 0.4, 0.5 };

const char *const tl_synth_signal_names[TL_SYNTH_NSIGNAL] = { "momentum",
	"mean_rev", "volume_spike", "news", "noise_a", "noise_b" };
const double tl_synth_signal_rate[TL_SYNTH_NSIGNAL] = { 0.40, 0.35, 0.25,
	0.20, 0.50, 0.50 };

const char *const tl_synth_comp_names[TL_SYNTH_NCOMP] = { "theme",
	"technical", "ai", "sentiment" };
const char *const tl_synth_vote_names[TL_SYNTH_NVOTE] = { "risk", "quant",
	"macro", "sentiment" };

const char *const tl_synth_sym_names[TL_SYNTH_NSYM] = {
	"AAPL", "MSFT", "NVDA", "GOOGL", "META", "AMZN", "AMD", "ORCL",
	"XOM", "CVX", "COP", "SLB", "OXY", "EOG",
	"JPM", "BAC", "GS", "MS", "WFC", "C",
	"SPY", "QQQ", "IWM", "DIA"
};
const int tl_synth_sym_price[TL_SYNTH_NSYM] = {
	18720, 37400, 49500, 13900, 35000, 15100, 13800, 10500,
	10000, 14900, 11600, 5200, 6000, 12100,
	17000, 3370, 38500, 9300, 4900, 5140,
	47500, 40900, 20000, 37600
};

const char *const tl_synth_universe_names[TL_SYNTH_NUNIVERSE] = { "tech",
	"energy", "finance", "broad" };
const int tl_synth_universe_lo[TL_SYNTH_NUNIVERSE] = { 0, 8, 14, 0 };
const int tl_synth_universe_n[TL_SYNTH_NUNIVERSE] = { 8, 6, 6, 24 };
const char *const tl_synth_filter_names[TL_SYNTH_NFILTER] = { "none", "ema",
	"adx" };

const char *const tl_synth_reason_names[TL_SYNTH_NREASON] = { "take_profit",
	"stop_loss", "time_exit", "signal_exit" };
