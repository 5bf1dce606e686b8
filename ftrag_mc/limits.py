"""Magnitude limits of every quantity a scenario may give, and why they are safe.

The schema checks each key against these bounds (the generated reference states them); they sit
below every layer that declares keys (the cost components, the strategy, the scenario).
"""

# Why these numbers: every cost the model forms is a product of a few inputs, summed over at most
# 600 months and about twenty terms, and float64 holds up to 1.8e308. Within these limits a token
# cost is at most a volume (1e12 queries/month) x growth over the horizon (1e6, below) x tokens per
# query (1e8) x a price (1e5 USD per million tokens, / 1e6) x a multiple (1 + 1e3) = 1e28 USD a
# month; errors 1e18 queries x 1e12 USD = 1e30; the largest, GPU serving, needs 1e18 x 1e8 tokens /
# (1e-3 tokens/s x 1e-3 utilisation x 2.6e6 s) = 4e25 replicas at 1e12 USD x 730.5 hours = 3e40 USD
# a month; an amount (1e12 USD) x events a month (30, at the shortest cadence) or x weeks (1e5) is
# smaller. Twenty terms x 600 months x the largest discount factor (rate -0.5: 2^50 = 1e15 at month
# 600) give NPCs below 1e60 USD, 248 orders of magnitude inside the float range, so no sum,
# difference or breakeven ratio overflows into inf or nan. Each limit is also far beyond any real
# workload (the busiest assistants serve ~1e11 queries a month; context windows hold ~1e7 tokens;
# frontier output costs ~1e2-1e3 USD per million tokens), so a value past one is a typo, not a plan.
# Divisors get floors instead: a cadence (1/k events a month) below 1/30 month (daily) cannot be a
# schedule of months, and GPU capacity (throughput x utilisation) near zero would ask for infinitely
# many replicas. Underflow is harmless: a cost below 1e-300 USD is 0 to every cent.
MAX_QUERIES_PER_MONTH = 1e12
MAX_TOKENS_PER_QUERY = 1e8
MAX_CORPUS_TOKENS = 1e15  # a corpus or a training set (the public web is ~1e14 tokens)
MAX_USD_PER_MTOK = 1e5
MAX_USD = 1e12  # any amount: one-time, per month, per hour, per week, per error
MAX_MULTIPLE = 1e3  # premiums and cache price multiples
MAX_WEEKS = 1e5
MAX_HOURS = 1e7
MAX_EPOCHS = 1e3
MAX_MONTHS = 1e4  # an end-of-life month past the horizon means: not within it
MIN_CADENCE_MONTHS = 1 / 30
MIN_TOKENS_PER_SECOND, MAX_TOKENS_PER_SECOND = 1e-3, 1e9
MIN_UTILIZATION = 1e-3
MAX_WAIT_SECONDS = 1e5  # a fixed wait per query longer than a day is a unit slip
# Volume at month t is Q0 (1 + g)^(t - 1): its growth over the horizon, at the largest growth the
# distribution can draw, must stay below this (10x a year for six years); with a ceiling the
# uncapped volume only has to stay finite before the cap applies.
MAX_GROWTH_FACTOR = 1e6
MAX_GROWTH_FACTOR_WITH_CEILING = 1e100

# Counts a run may ask for, in the scenario file or on the command line alike: samples (1e8 at
# ~2M/s is about a minute of simulation per core, the memory of a run stays flat), a seed (numpy's
# SeedSequence takes any non-negative integer; 63 bits keep it one TOML integer), worker processes,
# the horizon (50 years of months), the base samples of a Sobol design (each is d + 2 model
# evaluations) and the values of one swept key.
MAX_SAMPLES = 100_000_000
MAX_SEED = 2**63 - 1
MAX_WORKERS = 512
MAX_HORIZON_MONTHS = 600
MAX_SOBOL_SAMPLES = 2**20
MAX_SWEEP_VALUES = 200

# The sampler keeps uniforms this far from 0 and 1 so that ppf of unbounded families stays finite
# (ndtri(2**-53) ≈ -8.2); 1 - 2**-53 is the largest double below 1. Bounds are checked against
# what a distribution can draw within them.
U_MIN = 2.0**-53
U_MAX = 1.0 - 2.0**-53
# A noisy volume path's random walk W_t is kept within STEP_LIMIT sqrt(t) of 0: the largest |z| an
# input's inverse CDF reaches from a uniform in [U_MIN, U_MAX] (-ndtri(U_MIN); a test keeps it so).
# Noise then multiplies month t's volume by at most exp(σ STEP_LIMIT sqrt(t)), which the scenario's
# growth limit above counts.
STEP_LIMIT = 8.209536151601387
