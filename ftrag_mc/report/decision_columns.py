"""The data dictionary of ``decision.csv`` (the decision among all strategies) and of the Monte Carlo
error columns ``summary.csv`` carries: what each column holds, its unit and sign, and how its
interval is made."""

from __future__ import annotations

from ftrag_mc.report.columns import Column

__all__ = ["DECISION_COLUMNS", "SUMMARY_ERROR_COLUMNS"]

_ORDER_STATISTIC = ("95 % order-statistic interval of the median, read from the run's histogram: "
                    "[Q(0.5 − 1.96·√(0.25/n)), Q(0.5 + 1.96·√(0.25/n))]")
_SAVING = "saving = NPC(this strategy) − NPC(recommended): positive = the recommended strategy costs less"
_PAIR_ONLY = "; the runner-up's row only (the headline's pair), empty on the others"

#: Columns summary.csv adds after its figures: their 95 % intervals and standard errors.
SUMMARY_ERROR_COLUMNS: dict[str, Column] = {
    "volume_at_50pct_low": ("lower end of the 95 % interval of volume_at_50pct: the order-statistic interval of "
                            "the median breakeven where the crossing is exact (method), else where the 95 % Wilson "
                            "band's upper edge crosses 50 % (0 = already at the bottom of the sweep)", "queries/month"),
    "volume_at_50pct_high": ("upper end of that interval (inf = the band's lower edge does not reach 50 % in the "
                             "sweep)", "queries/month"),
    "breakeven_p50_low": (f"lower end of the {_ORDER_STATISTIC}", "queries/month"),
    "breakeven_p50_high": ("upper end of the same interval of breakeven_p50", "queries/month"),
    "payback_p50_low_months": (f"lower end of the {_ORDER_STATISTIC} (of payback_p50_months)", "months"),
    "payback_p50_high_months": ("upper end of the same interval (inf = never within the horizon)", "months"),
    "cvar95_delta_se_usd": ("standard error of cvar95_delta_usd, from the tail's own spread: √((Var(tail) + "
                            "0.95·(CVaR − VaR)²) / (0.05·n)), VaR the 95th percentile", "USD"),
}

#: decision.csv: one row per strategy, in rank order, at the scenario's volume and the longest horizon.
DECISION_COLUMNS: dict[str, Column] = {
    "strategy": ("the strategy's name in the scenario file (every strategy, baseline included)", "name"),
    "label": ("the strategy's human label", "text"),
    "rule": ("the decision rule: mean = the lowest expected net present cost; cvar = the lowest CVaR95 of net "
             "present cost (run --rule cvar)", "text"),
    "horizon_months": ("the horizon the decision is made over (the longest analysis horizon)", "months"),
    "queries_per_month": ("the scenario's starting volume, at which the decision is made", "queries/month"),
    "rank": ("1 = the recommended strategy, then by the rule's figure (mean_npc_usd or cvar95_npc_usd), lowest "
             "first", "integer"),
    "role": ("recommended; runner-up = the best alternative (the lowest expected NPC among the others, not "
             "dominated while any is not): the headline's comparison; dominated = beaten by another strategy in "
             "at least 99 % of futures; alternative = any other", "text"),
    "mean_npc_usd": ("expected (mean) net present cost of the strategy", "USD, discounted"),
    "mean_npc_se_usd": ("Monte Carlo standard error of mean_npc_usd", "USD"),
    "cvar95_npc_usd": ("CVaR95 of net present cost: the mean NPC over the strategy's costliest 5 % of futures "
                       "(the cvar rule's figure)", "USD, discounted"),
    "cvar95_npc_se_usd": ("standard error of cvar95_npc_usd, from the tail's own spread (as cvar95_delta_se_usd "
                          "in summary.csv)", "USD"),
    "p_cheapest": ("P(this strategy has the lowest NPC of all) at the scenario's volume (ties go to the earlier "
                   "strategy in the file)", "probability 0-1"),
    "p_cheapest_low": ("lower end of the 95 % Wilson interval of p_cheapest", "probability 0-1"),
    "p_cheapest_high": ("upper end of the 95 % Wilson interval of p_cheapest", "probability 0-1"),
    "dominated_by": ("the strategy that beats this one in the most futures, when that is at least 99 % of them "
                     "(then this one is dominated); empty otherwise", "name"),
    "dominated_by_label": ("its label", "text"),
    "p_dominated": ("share of futures in which dominated_by is cheaper than this strategy", "probability 0-1"),
    "saving_usd": (f"expected saving of choosing the recommended strategy instead of this one: {_SAVING}; empty on "
                   "the recommended row. On the runner-up's row: the headline's expected saving", "USD"),
    "saving_se_usd": ("Monte Carlo standard error of saving_usd (of the paired differences: common random "
                      "numbers)", "USD"),
    "p_recommended_cheaper": ("P(the recommended strategy's NPC < this one's)", "probability 0-1"),
    "p_loss": ("P(loss): P(the recommended strategy's NPC > this one's), the futures in which choosing it "
               "costs more", "probability 0-1"),
    "p_loss_low": ("lower end of the 95 % Wilson interval of p_loss", "probability 0-1"),
    "p_loss_high": ("upper end of the 95 % Wilson interval of p_loss", "probability 0-1"),
    "saving_p5_usd": (f"5th percentile of the saving against the runner-up ({_SAVING}; negative = a loss)"
                      f"{_PAIR_ONLY}", "USD"),
    "saving_p50_usd": (f"median saving against the runner-up{_PAIR_ONLY}", "USD"),
    "saving_p95_usd": (f"95th percentile of the saving against the runner-up{_PAIR_ONLY}", "USD"),
    "cvar95_loss_usd": ("CVaR95 of the loss against the runner-up: the average extra cost of the recommended "
                        "strategy over the worst 5 % of futures (positive = a loss, negative = even those futures "
                        f"save){_PAIR_ONLY}", "USD"),
    "cvar95_loss_se_usd": (f"standard error of cvar95_loss_usd, from the tail's own spread{_PAIR_ONLY}", "USD"),
    "wins_side": ("where the recommended strategy is cheaper than the runner-up in most futures: above (or below) "
                  "volume_at_50pct, everywhere or nowhere in the sweep" + _PAIR_ONLY, "text"),
    "volume_at_50pct": ("starting volume where P(the recommended strategy is cheaper than the runner-up) crosses "
                        "50 % in the sweep: going up (wins_side above; as in summary.csv) or down (below, "
                        f"interpolated in log volume){_PAIR_ONLY}", "queries/month"),
    "volume_at_50pct_low": ("lower end of its 95 % interval (as in summary.csv; going down, where the Wilson "
                            f"band's lower edge falls to 50 %){_PAIR_ONLY}", "queries/month"),
    "volume_at_50pct_high": (f"upper end of its 95 % interval{_PAIR_ONLY}", "queries/month"),
    "payback_p50_months": ("median month the recommended strategy's cumulative cost falls below the runner-up's, "
                           f"at the scenario's volume; 0 = from day one, inf = not within the horizon{_PAIR_ONLY}",
                           "months"),
    "payback_p50_low_months": (f"lower end of the {_ORDER_STATISTIC}{_PAIR_ONLY}", "months"),
    "payback_p50_high_months": (f"upper end of the same interval{_PAIR_ONLY}", "months"),
    "flip_queries_per_month": ("the starting volume nearest to the scenario's at which the two strategies' expected "
                               "NPCs cross (the choice between them flips), on the volume sweep; empty = they do "
                               f"not cross between sweep_min and sweep_max (see flip_method){_PAIR_ONLY}",
                               "queries/month"),
    "flip_low_queries_per_month": ("lower end of the volumes around the flip where the 95 % interval of the "
                                   "expected saving holds zero (0 = reaches below what can be told)"
                                   f"{_PAIR_ONLY}", "queries/month"),
    "flip_high_queries_per_month": (f"upper end of those volumes (inf = reaches above){_PAIR_ONLY}",
                                    "queries/month"),
    "flip_side": (f"below or above: on which side of the scenario's volume the flip lies{_PAIR_ONLY}", "text"),
    "flip_to": ("the strategy whose expected NPC is the lower one past the flip (the runner-up under the mean "
                f"rule){_PAIR_ONLY}", "name"),
    "flip_method": ("exact (the root of the expected saving, a line in volume when every cost is affine in "
                    "volume) or interpolated in log volume between sweep volumes (GPU steps, a volume ceiling)"
                    f"{_PAIR_ONLY}", "text"),
    "samples": ("Monte Carlo samples (futures) drawn", "count"),
}
