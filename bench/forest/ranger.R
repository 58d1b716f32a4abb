# ranger on the bench CSVs: fit time, predict time and test R^2 as one
# line of JSON.  ranger 0.14 has no minimum leaf size: min.node.size is
# the least size of a node that may be split, so MIN_LEAF 5 is passed as
# min.node.size 2 * 5 = 10 (a node below 10 rows cannot give two leaves of
# 5), the closest setting.
#
# usage: Rscript ranger.R TRAIN.csv TEST.csv TREES MTRY MIN_LEAF THREADS
suppressMessages(library(ranger))
a <- commandArgs(trailingOnly = TRUE)
t0 <- Sys.time()
tr <- read.csv(a[1])
te <- read.csv(a[2])
t1 <- Sys.time()
rf <- ranger(y ~ ., data = tr, num.trees = as.integer(a[3]),
    mtry = as.integer(a[4]), min.node.size = 2L * as.integer(a[5]),
    num.threads = as.integer(a[6]), seed = 1, verbose = FALSE)
t2 <- Sys.time()
p <- predict(rf, te, num.threads = as.integer(a[6]),
    verbose = FALSE)$predictions
t3 <- Sys.time()
r2 <- 1 - sum((te$y - p)^2) / sum((te$y - mean(te$y))^2)
cat(sprintf(paste0('{"tool":"ranger","load":%.3f,"fit":%.3f,',
    '"predict":%.3f,"test_r2":%.6f,"oob_r2":%.6f}\n'),
    as.numeric(t1 - t0, units = "secs"), as.numeric(t2 - t1, units = "secs"),
    as.numeric(t3 - t2, units = "secs"), r2, rf$r.squared))
