# Planted-truth inputs for tl-policy, in the canonical shapes of tl(7):
# trades.jsonl (executed signals, with conviction and expected_edge),
# counterfactuals.jsonl (signals the conviction gate blocked),
# signal-outcomes.jsonl (every signal at 1m, 5m, 15m, 30m, 1h),
# returns.csv and regimes.jsonl (for the breaker) and truth.json.
# Randomness is a Park-Miller generator in exact double arithmetic, so
# that mawk and gawk write the same bytes.
#
# usage: awk -v out=DIR [-v seed=N] [-v n=SIGNALS] [-v strategies=K]
#            [-v symbols=M] [-v days=D] [-v outcomes=0] -f gen.awk
#
# The truth planted:
#   gate      strategy s (S01..) loses below conviction theta_s = 0.55,
#             0.60, 0.65, 0.70 (cycling) and wins above: the net return
#             per unit notional is A (c - theta_s) + the hold effect +
#             noise; the engine's gate was 0.5, so signals below 0.5 are
#             counterfactual (blocked_by "conviction").
#   size      the same line: the buckets' mean edge A (c - theta) rises
#             with conviction.
#   hold      a trade held T seconds (log-uniform, 2 min to 5 days) makes
#             B (phi(T) - mean phi), phi rising in log T up to H_s = 1h,
#             4h, 8h, 1d (cycling) and falling after it twice as fast:
#             the best maximum hold is H_s.
#   fee       symbol m (X01..) pays fees of 5, 10, 15 bp (cycling) and
#             slippage U(0, 2 bp); its expected edge is logged: a trade
#             whose expected edge is below its cost loses.
#   horizon   momentum's EV peaks at 15m, news works only at 1h, volume
#             has none of its own; each fires in half the signals; EV is
#             net of a 2 bp fee model.
#   breaker   S01 makes 0.1% a day, except 12 days from day 40 that
#             lose 1.9% each (drawdown above 15% on the 9th, day 48:
#             1 - 0.981^9 = 0.1587) and 20 days after them that make
#             1.2%; regimes label day 100 "crisis".

function rnd() {
	state = (state * 48271) % 2147483647
	return state / 2147483647
}

function gauss(  u, v) {
	u = rnd()
	v = rnd()
	if (u < 1e-12)
		u = 1e-12
	return sqrt(-2 * log(u)) * cos(6.283185307179586 * v)
}

# "YYYY-MM-DD" of days since 1970-01-01 (Hinnant's civil_from_days).
function civil(z,  era, doe, yoe, y, doy, mp, d, m) {
	z += 719468
	era = int(z / 146097)
	doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - \
	    int(doe / 146096)) / 365)
	y = yoe + era * 400
	doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153)
	d = doy - int((153 * mp + 2) / 5) + 1
	m = (mp < 10) ? mp + 3 : mp - 9
	return sprintf("%04d-%02d-%02d", y + (m <= 2), m, d)
}

function stamp(sec,  day, s) {
	day = int(sec / 86400)
	s = sec - day * 86400
	return sprintf("%sT%02d:%02d:%02dZ", civil(day), int(s / 3600),
	    int(s / 60) % 60, s % 60)
}

# The hold profile: up in log time to h, down twice as fast after it.
function phi(t, h) {
	if (t <= h)
		return log(t / TMIN) / log(h / TMIN)
	return 1 - 2 * log(t / h) / log(h / TMIN)
}

BEGIN {
	if (out == "") {
		print "gen.awk: -v out=DIR is needed" > "/dev/stderr"
		exit 64
	}
	if (seed == "") seed = 1
	if (n == "") n = 20000
	if (strategies == "") strategies = 4
	if (symbols == "") symbols = 3
	if (days == "") days = 120
	if (outcomes == "") outcomes = 1
	state = (seed * 7919 + 12345) % 2147483647
	A = 0.02		# edge per unit of conviction
	B = 0.004		# hold effect
	SD = 0.005		# noise of a trade's return
	TMIN = 120
	TMAX = 432000
	T0 = 1767225600		# 2026-01-01T00:00:00Z
	split("0.55 0.60 0.65 0.70", theta, " ")
	split("3600 14400 28800 86400", hbest, " ")
	split("0.0005 0.0010 0.0015", fee, " ")
	split("1m 5m 15m 30m 1h", hname, " ")
	split("60 300 900 1800 3600", hsec, " ")
	# gross EV per horizon of each named signal, before the 2 bp fee
	split("0.0002 0.0006 0.0012 0.0008 0.0003", mom, " ")
	split("0 0 0 0.0001 0.0010", news, " ")
	# the mean of phi under log-uniform T, per best hold (quadrature)
	for (s = 1; s <= 4; s++) {
		m = 0
		for (k = 0; k < 2000; k++)
			m += phi(TMIN * exp((k + 0.5) / 2000 * \
			    log(TMAX / TMIN)), hbest[s])
		phibar[s] = m / 2000
	}
	tr = out "/trades.jsonl"
	cf = out "/counterfactuals.jsonl"
	so = out "/signal-outcomes.jsonl"
	printf "" > tr
	printf "" > cf
	if (outcomes)
		printf "" > so
	for (i = 1; i <= n; i++) {
		s = 1 + int(rnd() * strategies)
		strat = sprintf("S%02d", s)
		sk = 1 + (s - 1) % 4
		mi = 1 + int(rnd() * symbols)
		sym = sprintf("X%02d", mi)
		f = fee[1 + (mi - 1) % 3]
		day = int(rnd() * days)
		ts = T0 + day * 86400 + 3600 * 9 + int(rnd() * 25200)
		regime = (rnd() < 0.5) ? "bull" : "bear"
		c = 0.375 + 0.625 * rnd()
		t = TMIN * exp(rnd() * log(TMAX / TMIN))
		t = int(t)
		slip = 0.0002 * rnd()
		e = A * (c - theta[sk]) + f + 0.0001
		x = e + B * (phi(t, hbest[sk]) - phibar[sk]) + SD * gauss()
		qty = 10 * (1 + int(rnd() * 5))
		price = 50 + int(rnd() * 45000) / 100
		notional = qty * price
		pnl = (x - slip) * notional
		fees = f * notional
		net = pnl - fees
		mfe = net + notional * SD * (0.5 + rnd())
		mae = ((net < 0) ? net : 0) - notional * SD * (0.5 + rnd())
		id = sprintf("G%07d", i)
		common = sprintf("\"signal_id\":\"%s\",\"strategy\":\"%s\"," \
		    "\"symbol\":\"%s\",\"side\":\"long\",\"regime\":\"%s\"," \
		    "\"entry_ts\":\"%s\",\"exit_ts\":\"%s\",\"date\":\"%s\"," \
		    "\"entry_price\":%.2f,\"qty\":%d,\"pnl\":%.4f," \
		    "\"fees\":%.4f,\"slippage\":%.4f,\"net_pnl\":%.4f," \
		    "\"hold_s\":%d,\"mfe\":%.4f,\"mae\":%.4f," \
		    "\"conviction\":%.4f,\"expected_edge\":%.6f", id, strat,
		    sym, regime, stamp(ts), stamp(ts + t),
		    substr(stamp(ts + t), 1, 10), price, qty, pnl, fees,
		    slip * notional, net, t, mfe, mae, c, e)
		if (c >= 0.5) {
			printf "{\"id\":\"T%07d\",%s}\n", i, common > tr
			ntr++
		} else {
			printf "{\"id\":\"C%07d\",\"counterfactual\":true," \
			    "\"blocked_by\":\"conviction\",%s}\n", i,
			    common > cf
			ncf++
		}
		if (!outcomes)
			continue
		fm = rnd() < 0.5
		fn = rnd() < 0.5
		fv = rnd() < 0.5
		for (k = 1; k <= 5; k++) {
			ev = fm * mom[k] + fn * news[k] - 0.0002 + \
			    0.002 * gauss()
			printf "{\"signal_id\":\"%s\",\"ts\":\"%s\"," \
			    "\"strategy\":\"%s\",\"executed\":%s," \
			    "\"horizon\":\"%s\",\"move\":%.6f,\"hit\":%s," \
			    "\"ev\":%.6f,\"fee_model\":\"flat-2bp\"," \
			    "\"signals\":{\"momentum\":%d,\"news\":%d," \
			    "\"volume\":%d}}\n", id, stamp(ts), strat,
			    (c >= 0.5) ? "true" : "false", hname[k],
			    ev + 0.0002, (ev + 0.0002 > 0) ? "true" : "false",
			    ev, fm, fn,
			    fv > so
		}
	}
	# daily returns: noise, and S01's planted drawdown
	rf = out "/returns.csv"
	print "date,strategy,return" > rf
	for (d = 0; d < days; d++) {
		for (s = 1; s <= strategies; s++) {
			r = 0.0005 + 0.004 * gauss()
			# S01 has no noise: its crossing day is exact
			if (s == 1)
				r = (d >= 40 && d < 52) ? -0.019 : \
				    ((d >= 52 && d < 72) ? 0.012 : 0.001)
			printf "%s,S%02d,%.6f\n", civil(20454 + d), s, r > rf
		}
	}
	rg = out "/regimes.jsonl"
	printf "" > rg
	for (d = 0; d < days; d++)
		printf "{\"date\":\"%s\",\"state\":%d,\"label\":\"%s\"}\n",
		    civil(20454 + d), (d == 100) ? 2 : ((d % 7 < 5) ? 0 : 1),
		    (d == 100) ? "crisis" : ((d % 7 < 5) ? "calm" : \
		    "volatile") > rg
	printf "{\"format\":\"tl-policy-truth\",\"version\":1,\"seed\":%d," \
	    "\"signals\":%d,\"trades\":%d,\"counterfactuals\":%d," \
	    "\"gate\":{", seed, n, ntr, ncf > out "/truth.json"
	for (s = 1; s <= strategies; s++)
		printf "%s\"S%02d\":%s", (s > 1) ? "," : "", s,
		    theta[1 + (s - 1) % 4] > out "/truth.json"
	printf "},\"hold\":{" > out "/truth.json"
	for (s = 1; s <= strategies; s++)
		printf "%s\"S%02d\":%d", (s > 1) ? "," : "", s,
		    hbest[1 + (s - 1) % 4] > out "/truth.json"
	printf "},\"fee\":{" > out "/truth.json"
	for (m = 1; m <= symbols; m++)
		printf "%s\"X%02d\":%s", (m > 1) ? "," : "", m,
		    fee[1 + (m - 1) % 3] > out "/truth.json"
	printf "},\"horizon\":{\"momentum\":\"15m\",\"news\":\"1h\"}," \
	    "\"breaker\":{\"strategy\":\"S01\",\"halted\":\"%s\"," \
	    "\"crisis\":\"%s\"}}\n", civil(20454 + 48),
	    civil(20454 + 100) > out "/truth.json"
}
