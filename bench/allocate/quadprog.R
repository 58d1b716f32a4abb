# Solve a bench/allocate/gen.py problem with R quadprog (Goldfarb-Idnani
# dual method): min 1/2 w'Qw - c'w, sum w = 1, lo <= w <= hi.
# usage: Rscript quadprog.R FILE RUNS
# prints: objective, max constraint violation, median solve seconds
suppressPackageStartupMessages(library(quadprog))
args <- commandArgs(trailingOnly = TRUE)
x <- scan(args[1], comment.char = "#", quiet = TRUE)
runs <- as.integer(args[2])
n <- as.integer(x[1]); o <- 1
Q <- matrix(x[(o + 1):(o + n * n)], n, n, byrow = TRUE); o <- o + n * n
cc <- x[(o + 1):(o + n)]; o <- o + n
lo <- x[(o + 1):(o + n)]; o <- o + n
hi <- x[(o + 1):(o + n)]
# columns: the sum (equality), w >= lo, -w >= -hi (only caps below 1)
capped <- which(hi < 1)
A <- cbind(rep(1, n), diag(n), -diag(n)[, capped, drop = FALSE])
b <- c(1, lo, -hi[capped])
# the clock ticks in milliseconds: a run repeats the solve for at least
# 50 ms (a small problem takes well under one) and counts its share
times <- numeric(runs)
for (r in seq_len(runs)) {
	k <- 0
	t0 <- proc.time()[["elapsed"]]
	repeat {
		s <- solve.QP(Q, cc, A, b, meq = 1)
		k <- k + 1
		el <- proc.time()[["elapsed"]] - t0
		if (el >= 0.05) break
	}
	times[r] <- el / k
}
w <- s$solution
obj <- 0.5 * sum(w * (Q %*% w)) - sum(cc * w)
viol <- max(abs(sum(w) - 1), max(lo - w), max(w - hi))
cat(sprintf("%.17g %.3g %.6f\n", obj, viol, median(times)))
