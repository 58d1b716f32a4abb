# Print n days of a 3-state Gaussian HMM with 4 features as CSV
# (date,ret,vol,spread,volume and the true state): awk -v n=10000 -v seed=1 -f gen.awk
# States: 0 bear, 1 choppy, 2 bull; sticky transitions.
function gauss() { return sqrt(-2 * log(1 - rand())) * cos(6.283185307179586 * rand()) }
BEGIN {
	srand(seed)
	split("-0.0012 0 0.0008", mr, " "); split("0.016 0.010 0.008", sr, " ")
	split("0.28 0.18 0.12", mv, " "); split("0.9 0.5 0.3", msp, " ")
	split("1.4 1.0 0.8", mvo, " ")
	split("0.95 0.03 0.02 0.03 0.94 0.03 0.02 0.03 0.95", A, " ")
	print "date,ret,vol,spread,volume,state"
	s = 2
	for (t = 0; t < n; t++) {
		if (t > 0) {
			u = rand(); c = 0
			for (j = 0; j < 3; j++) {
				c += A[s * 3 + j + 1]
				if (u < c) break
			}
			s = j > 2 ? 2 : j
		}
		printf "d%05d,%.6f,%.4f,%.4f,%.4f,%d\n", t, mr[s + 1] + sr[s + 1] * gauss(), \
		    mv[s + 1] * exp(0.15 * gauss()), msp[s + 1] + 0.2 * gauss(), \
		    mvo[s + 1] + 0.25 * gauss(), s
	}
}
