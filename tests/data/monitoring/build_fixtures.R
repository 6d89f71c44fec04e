# Builds the ITS conformance fixtures of tests/analysis/test_its_conformance.py from sicily.csv
# (Lopez Bernal, Cummins & Gasparrini, IJE 2017; see PROVENANCE.md). Parley's own code, not the
# tutorial's: the models are the tutorial's, written with base R and MASS only.
#
#   cd tests/data/monitoring && Rscript build_fixtures.R
#
# Writes sicily-long.csv (the same data in Parley's long form) and r-glm-*.json.
library(MASS)

data <- read.csv("sicily.csv")
n <- nrow(data)
data$date <- sprintf("%04d-%02d", data$year, data$month)
long <- data.frame(date = data$date, locality = "Sicily", indicator = "aces",
                   value = data$aces, population = data$pop, stdpop = data$stdpop)
write.csv(long, "sicily-long.csv", row.names = FALSE, quote = FALSE)

# the tutorial's harmonic(month, 2, 12) from tsModel, written out: sin pairs then cos pairs
for (k in 1:2) {
  data[[paste0("sin", k)]] <- sin(2 * pi * k * data$month / 12)
  data[[paste0("cos", k)]] <- cos(2 * pi * k * data$month / 12)
}
t0 <- max(data$time[data$smokban == 0])          # 36: the last period before the ban
data$slope <- (data$time - t0) * data$smokban      # the tutorial's I(time-36):smokban
ctl <- glm.control(epsilon = 1e-12, maxit = 100)

num <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
vec <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")
named <- function(x) paste0("{", paste(sprintf("\"%s\": %s", names(x), num(x)), collapse = ", "), "}")
str <- function(x) sprintf("\"%s\"", x)

write_fixture <- function(name, fit, options, family_name, dispersion, theta = NA) {
  # quasi-Poisson: summary's own estimate, so its p-values use t on the residual df as R reports
  s <- if (family_name == "quasipoisson") summary(fit) else summary(fit, dispersion = dispersion)
  co <- s$coefficients
  rownames(co)[rownames(co) == "(Intercept)"] <- "const"
  rownames(co)[rownames(co) == "smokban"] <- "level"
  est <- co[, 1]; se <- co[, 2]; p <- co[, 4]
  V <- vcov(fit, dispersion = dispersion)
  nd <- data; nd$smokban <- 0; nd$slope <- 0
  cf_eta <- predict(fit, newdata = nd, type = "link")
  X_cf <- model.matrix(delete.response(terms(fit)), nd)
  se_cf <- sqrt(rowSums((X_cf %*% V) * X_cf))
  mu <- fitted(fit)
  cf <- exp(cf_eta)
  post <- data$smokban == 1
  X <- model.matrix(fit)
  g <- colSums(cf[post] * X_cf[post, , drop = FALSE]) - colSums(mu[post] * X[post, , drop = FALSE])
  prevented <- sum(cf[post] - mu[post])
  prevented_se <- sqrt(drop(t(g) %*% V %*% g))
  z <- qnorm(0.975)
  wald <- exp(coef(fit)["smokban"] + c(-1, 1) * z * se["level"])
  res <- residuals(fit, type = "deviance")
  lag1 <- acf(res, lag.max = 1, plot = FALSE)$acf[2]
  lb_lags <- max(1, min(10, n %/% 5))
  lb <- Box.test(res, lag = lb_lags, type = "Ljung-Box")
  pearson <- sum(residuals(fit, type = "pearson")^2)
  lines <- c(
    "{",
    sprintf("  \"name\": %s,", str(name)),
    sprintf("  \"tool\": %s,", str(paste(R.version.string, "stats::glm",
                                         if (!is.na(theta)) paste("MASS", packageVersion("MASS"), "glm.nb") else ""))),
    sprintf("  \"call\": %s,", str(gsub("\"", "'", paste(deparse(fit$call, width.cutoff = 500), collapse = " ")))),
    sprintf("  \"family\": %s,", str(family_name)),
    sprintf("  \"options\": %s,", options),
    sprintf("  \"n\": %d,", n),
    sprintf("  \"coefficients\": %s,", named(est)),
    sprintf("  \"std_errors\": %s,", named(se)),
    sprintf("  \"p_values\": %s,", named(p)),
    sprintf("  \"dispersion\": %s,", num(s$dispersion)),
    sprintf("  \"pearson_chi2\": %s,", num(pearson)),
    sprintf("  \"theta\": %s,", num(theta)),
    sprintf("  \"level_rate_ratio\": %s,", num(exp(coef(fit)["smokban"]))),
    sprintf("  \"level_ci\": %s,", vec(wald)),
    sprintf("  \"fitted\": %s,", vec(mu)),
    sprintf("  \"counterfactual\": %s,", vec(cf)),
    sprintf("  \"counterfactual_lower\": %s,", vec(exp(cf_eta - z * se_cf))),
    sprintf("  \"counterfactual_upper\": %s,", vec(exp(cf_eta + z * se_cf))),
    sprintf("  \"prevented\": %s,", num(prevented)),
    sprintf("  \"prevented_ci\": %s,", vec(prevented + c(-1, 1) * z * prevented_se)),
    sprintf("  \"autocorrelation_lag1\": %s,", num(lag1)),
    sprintf("  \"ljung_box_lags\": %d,", lb_lags),
    sprintf("  \"ljung_box_p\": %s", num(lb$p.value)),
    "}")
  writeLines(lines, paste0("r-glm-", name, ".json"))
}

opts <- function(model, seasonality = 0, slope = FALSE, offset = "stdpop") {
  sprintf("{\"model\": \"%s\", \"seasonality\": %d, \"slope_change\": %s, \"offset\": %s, \"intervention\": \"2005-01\"}",
          model, seasonality, if (slope) "true" else "false",
          if (is.null(offset)) "null" else sprintf("\"%s\"", offset))
}

h <- " + sin1 + sin2 + cos1 + cos2"
f <- function(rhs) as.formula(paste("aces ~", rhs))
qp <- function(fit) summary(fit)$dispersion

# the tutorial's model1: Poisson, standardised population as offset
m <- glm(f("offset(log(stdpop)) + smokban + time"), family = poisson, data = data, control = ctl)
write_fixture("poisson", m, opts("poisson"), "poisson", 1)
# model2: quasi-Poisson
m <- glm(f("offset(log(stdpop)) + smokban + time"), family = quasipoisson, data = data, control = ctl)
write_fixture("quasi-poisson", m, opts("quasi-poisson"), "quasipoisson", qp(m))
# model3: quasi-Poisson, seasonally adjusted with harmonic(month, 2, 12): the published model
m <- glm(f(paste0("offset(log(stdpop)) + smokban + time", h)), family = quasipoisson, data = data,
         control = ctl)
write_fixture("seasonal", m, opts("quasi-poisson", 2), "quasipoisson", qp(m))
cat("published model (0.885, 0.839-0.933):", exp(coef(m)["smokban"]),
    exp(confint.default(m, "smokban")), "\n")
# model4: with the change in slope
m <- glm(f(paste0("offset(log(stdpop)) + smokban + time + slope", h)), family = quasipoisson,
         data = data, control = ctl)
write_fixture("slope-change", m, opts("quasi-poisson", 2, TRUE), "quasipoisson", qp(m))
# Poisson, seasonally adjusted
m <- glm(f(paste0("offset(log(stdpop)) + smokban + time", h)), family = poisson, data = data,
         control = ctl)
write_fixture("poisson-seasonal", m, opts("poisson", 2), "poisson", 1)
# negative binomial (theta by maximum likelihood), seasonally adjusted. glm.nb keeps its default
# control: its theta.ml stops at a step of eps^0.25, so a tighter epsilon only hits the
# alternation limit; theta then agrees to 1e-11 with a hand-tightened alternation.
m <- glm.nb(f(paste0("offset(log(stdpop)) + smokban + time", h)), data = data)
write_fixture("negative-binomial", m, opts("negative-binomial", 2), "negative.binomial", 1, m$theta)
# negative binomial with the slope change
m <- glm.nb(f(paste0("offset(log(stdpop)) + smokban + time + slope", h)), data = data)
write_fixture("negative-binomial-slope", m, opts("negative-binomial", 2, TRUE), "negative.binomial",
              1, m$theta)
# quasi-Poisson without an offset (the counts themselves)
m <- glm(f(paste0("smokban + time", h)), family = quasipoisson, data = data, control = ctl)
write_fixture("no-offset", m, opts("quasi-poisson", 2, FALSE, NULL), "quasipoisson", qp(m))
