# Builds the HAC (Newey-West) conformance fixtures r-hac-*.json of tests/analysis/test_its.py
# from sicily.csv (see PROVENANCE.md). Parley's own script: the tutorial's models with base R
# and the sandwich package (Debian 12: r-cran-sandwich 3.0-2).
#
#   cd tests/data/monitoring && Rscript build_hac_fixtures.R
#
# Parley's `--robust hac` is sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = FALSE)
# with L = floor(4 * (n / 100)^(2/9)) (Newey & West 1994), Bartlett weights 1 - j / (L + 1).
library(sandwich)

data <- read.csv("sicily.csv")
for (k in 1:2) {
  data[[paste0("sin", k)]] <- sin(2 * pi * k * data$month / 12)
  data[[paste0("cos", k)]] <- cos(2 * pi * k * data$month / 12)
}
t0 <- max(data$time[data$smokban == 0])
data$slope <- (data$time - t0) * data$smokban
ctl <- glm.control(epsilon = 1e-12, maxit = 100)
L <- floor(4 * (nrow(data) / 100)^(2 / 9))

num <- function(x) sprintf("%.17g", x)
named <- function(x) paste0("{", paste(sprintf("\"%s\": %s", names(x), num(x)), collapse = ", "), "}")

write_fixture <- function(name, fit, options) {
  V <- NeweyWest(fit, lag = L, prewhite = FALSE, adjust = FALSE)
  est <- coef(fit)
  se <- sqrt(diag(V))
  names(est)[names(est) == "(Intercept)"] <- "const"
  names(est)[names(est) == "smokban"] <- "level"
  names(se) <- names(est)
  z <- qnorm(0.975)
  level <- c(rate_ratio = exp(est[["level"]]), lo = exp(est[["level"]] - z * se[["level"]]),
             hi = exp(est[["level"]] + z * se[["level"]]),
             p = 2 * pnorm(-abs(est[["level"]] / se[["level"]])))
  lines <- c("{",
             sprintf("  \"r\": \"%s\", \"sandwich\": \"%s\", \"lag\": %d,", R.version.string,
                     packageVersion("sandwich"), L),
             sprintf("  \"options\": %s,", options),
             sprintf("  \"estimate\": %s,", named(est)),
             sprintf("  \"hac_se\": %s,", named(se)),
             sprintf("  \"level_change\": %s", named(level)),
             "}")
  writeLines(lines, name)
}

seasonal <- aces ~ offset(log(stdpop)) + smokban + time + sin1 + sin2 + cos1 + cos2
write_fixture("r-hac-quasi-poisson-seasonal.json",
              glm(seasonal, family = quasipoisson, data = data, control = ctl),
              "{\"model\": \"quasi-poisson\", \"seasonality\": 2, \"slope_change\": false}")
write_fixture("r-hac-poisson-seasonal.json",
              glm(seasonal, family = poisson, data = data, control = ctl),
              "{\"model\": \"poisson\", \"seasonality\": 2, \"slope_change\": false}")
write_fixture("r-hac-quasi-poisson-slope.json",
              glm(update(seasonal, . ~ . + slope), family = quasipoisson, data = data,
                  control = ctl),
              "{\"model\": \"quasi-poisson\", \"seasonality\": 2, \"slope_change\": true}")
