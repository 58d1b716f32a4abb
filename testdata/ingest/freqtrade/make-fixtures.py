#!/usr/bin/env python3
"""Write the freqtrade fixtures of testdata/ingest/freqtrade/logs (see
README.md).  Figures are computed as freqtrade computes them (profit_abs
net of fee_open and fee_close), then written as freqtrade writes them:
compact JSON for a 2024 export, indented for the 2021 one (as an older
export looks once pretty-printed by a user), one line per hyperopt epoch.
Run it from this directory; the outputs are committed, this is how they
were made."""
import json
from datetime import datetime, timezone

def ms(s):
    return int(datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=timezone.utc).timestamp() * 1000)

def trade(pair, od, cd, orate, crate, amount, fo, fc, short=False, lev=1.0,
          tag=None, reason="roi", text=True, stamps=True, orders=True,
          old=False, zero=False):
    sign = -1 if short else 1
    gross = sign * (crate - orate) * amount
    fees = fo * amount * orate + fc * amount * crate
    profit = -0.0 if zero else round(gross - fees, 8)
    stake = round(amount * orate / lev, 8)
    t = {"pair": pair, "stake_amount": stake, "max_stake_amount": stake,
         "amount": amount}
    if text:
        t["open_date"] = od + "+00:00"
        t["close_date"] = cd + "+00:00"
    t.update({"open_rate": orate, "close_rate": crate, "fee_open": fo,
              "fee_close": fc,
              "trade_duration": (ms(cd) - ms(od)) // 60000,
              "profit_ratio": round(profit / stake, 8) if stake else 0.0,
              "profit_abs": profit})
    if old:
        t["sell_reason"] = reason
        t["buy_tag"] = tag
    else:
        t["exit_reason"] = reason
        t["enter_tag"] = tag
        t["is_short"] = short
        t["leverage"] = lev
    t.update({"initial_stop_loss_abs": round(orate * (1.1 if short else 0.9), 8),
              "initial_stop_loss_ratio": -0.1,
              "min_rate": min(orate, crate), "max_rate": max(orate, crate),
              "is_open": False})
    if stamps:
        t["open_timestamp"] = ms(od)
        t["close_timestamp"] = ms(cd)
    if orders and not old:
        t["orders"] = [
            {"amount": amount, "safe_price": orate, "ft_order_side":
             "sell" if short else "buy", "order_filled_timestamp": ms(od),
             "ft_is_entry": True, "ft_order_tag": tag, "cost": amount * orate},
            {"amount": amount, "safe_price": crate, "ft_order_side":
             "buy" if short else "sell", "order_filled_timestamp": ms(cd),
             "ft_is_entry": False, "ft_order_tag": reason,
             "cost": amount * crate}]
    return t

def summary(name, trades, start, end, run_start, balance, sharpe=True,
            roi=None):
    total = sum(t["profit_abs"] for t in trades)
    wins = sum(1 for t in trades if t["profit_abs"] > 0)
    losses = sum(1 for t in trades if t["profit_abs"] < 0)
    s = {"trades": trades, "locks": [],
         "results_per_pair": [{"key": "TOTAL", "trades": len(trades),
                               "profit_total_abs": round(total, 8)}],
         "exit_reason_summary": [],
         "total_trades": len(trades),
         "trade_count_long": sum(1 for t in trades if not t.get("is_short")),
         "trade_count_short": sum(1 for t in trades if t.get("is_short")),
         "profit_mean": (sum(t["profit_ratio"] for t in trades) / len(trades))
         if trades else 0,
         "profit_total": total / balance,
         "profit_total_abs": total}
    if sharpe:
        s.update({"sortino": 2.71 if trades else -100, "sharpe":
                  1.93 if trades else 0.0, "calmar": 4.2 if trades else -100,
                  "sqn": 1.1 if trades else -100, "profit_factor":
                  2.5 if trades else 0.0})
    s.update({"backtest_start": start, "backtest_start_ts": ms(start),
              "backtest_end": end, "backtest_end_ts": ms(end),
              "backtest_days": (ms(end) - ms(start)) // 86400000,
              "backtest_run_start_ts": run_start,
              "backtest_run_end_ts": run_start + 40 if isinstance(
                  run_start, int) else run_start,
              "pairlist": sorted({t["pair"] for t in trades}),
              "stake_amount": "unlimited", "stake_currency": "USDT",
              "stake_currency_decimals": 3, "starting_balance": balance,
              "dry_run_wallet": balance, "final_balance": balance + total,
              "max_open_trades": 3, "max_open_trades_setting": 3,
              "timeframe": "5m", "timeframe_detail": "",
              "timerange": start[:10].replace("-", "") + "-" +
              end[:10].replace("-", ""), "enable_protections": False,
              "strategy_name": name, "stoploss": -0.1,
              "trailing_stop": False, "trailing_stop_positive": None,
              "trailing_stop_positive_offset": 0.0,
              "trailing_only_offset_is_reached": False,
              "use_custom_stoploss": False,
              "minimal_roi": roi or {"0": 0.05, "60": 0.02},
              "use_exit_signal": True, "exit_profit_only": False,
              "exit_profit_offset": 0.0, "ignore_roi_if_entry_signal": False,
              "wins": wins, "losses": losses,
              "draws": len(trades) - wins - losses,
              "max_drawdown_account": 0.0123 if trades else 0.0,
              "max_drawdown_abs": 12.3 if trades else 0.0})
    return s

rsi = [
    trade("BTC/USDT:USDT", "2024-03-04 09:15:00", "2024-03-04 17:40:00",
          62150.5, 63480.25, 0.015, 0.0005, 0.0005, tag="rsi_dip"),
    trade("ETH/USDT:USDT", "2024-03-04 22:00:00", "2024-03-05 03:30:00",
          3412.75, 3377.2, 0.35, 0.0005, 0.0007, short=True, lev=3.0,
          tag="bear_div", reason="stop_loss"),
    trade("SOL/USDT:USDT", "2024-03-05 10:05:00", "2024-03-05 12:00:00",
          131.4, 131.4, 2.5, 0.0, 0.0, tag=None, reason="exit_signal",
          zero=True),
    trade("BTC/USDT:USDT", "2024-03-06 01:30:00", "2024-03-06 08:55:00",
          66010.0, 65120.75, 0.012, 0.0005, 0.0005, tag="rsi_dip",
          reason="trailing_stop_loss", text=False),
    trade("ADA/USDT:USDT", "2024-03-08 14:00:00", "2024-03-08 23:55:00",
          0.7412, 0.7523, 1350.0, 0.0005, 0.0005, tag="rsi_dip",
          reason="force_exit", stamps=False, orders=False),
]
export = {"strategy": {
    "RsiDip": summary("RsiDip", rsi, "2024-03-04 00:00:00",
                      "2024-03-09 00:00:00", 1710072000, 1000),
    "Quiet": summary("Quiet", [], "2024-03-04 00:00:00",
                     "2024-03-09 00:00:00", 1710072000, 1000,
                     roi={"0": 0.1})},
    "strategy_comparison": [
        {"key": "RsiDip", "trades": len(rsi),
         "profit_total_abs": sum(t["profit_abs"] for t in rsi)},
        {"key": "Quiet", "trades": 0, "profit_total_abs": 0.0}]}
stem = "backtest_results/backtest-result-2024-03-10_12-00-00"
with open("logs/" + stem + ".json", "w") as f:
    json.dump(export, f, separators=(",", ":"))
with open("logs/" + stem + ".meta.json", "w") as f:
    json.dump({"RsiDip": {"run_id": "4f2a9c1b", "backtest_start_time":
                          1710072000, "timeframe": "5m",
                          "timeframe_detail": None,
                          "backtest_start_ts": 1709510400,
                          "backtest_end_ts": 1709942400},
               "Quiet": {"run_id": "77d0e3aa", "backtest_start_time":
                         1710072000, "timeframe": "5m",
                         "timeframe_detail": None,
                         "backtest_start_ts": 1709510400,
                         "backtest_end_ts": 1709942400}}, f,
              separators=(",", ":"))

legacy = [
    trade("ETH/BTC", "2021-11-15 08:00:00", "2021-11-15 09:35:00",
          0.07512, 0.07603, 0.2, 0.001, 0.001, tag="ema_cross",
          reason="roi", old=True),
    trade("LTC/BTC", "2021-11-16 13:20:00", "2021-11-17 02:10:00",
          0.00388, 0.00371, 5.0, 0.001, 0.001, tag=None,
          reason="sell_signal", old=True, text=False),
    trade("XRP/BTC", "2021-11-18 20:45:00", "2021-11-18 21:05:00",
          1.912e-05, 1.955e-05, 800.0, 0.001, 0.001, tag="ema_cross",
          reason="roi", old=True, stamps=False),
]
old = {"strategy": {"Legacy": summary("Legacy", legacy,
                                      "2021-11-15 00:00:00",
                                      "2021-11-19 00:00:00",
                                      "2021-11-20 10:00:00+00:00", 0.05,
                                      sharpe=False)},
       "strategy_comparison": [{"key": "Legacy", "trades": len(legacy)}]}
with open("logs/backtest_results/backtest-result-2021-11-20_10-00-00.json",
          "w") as f:
    json.dump(old, f, indent=2)
    f.write("\n")

def epoch(n, params, total, trades, sharpe=True, name=True, best=False):
    rm = {"total_trades": trades, "profit_total": total / 1000,
          "profit_total_abs": total, "profit_mean": 0.004,
          "max_drawdown_account": 0.021, "winrate": 0.6,
          "backtest_start": "2024-01-01 00:00:00",
          "backtest_start_ts": ms("2024-01-01 00:00:00"),
          "backtest_end": "2024-03-01 00:00:00",
          "backtest_end_ts": ms("2024-03-01 00:00:00"),
          "starting_balance": 1000, "stake_currency": "USDT",
          "results_per_pair": [{"key": "TOTAL", "trades": trades}]}
    if sharpe:
        rm.update({"sharpe": round(total / 90, 4), "sortino": 1.8,
                   "calmar": 3.3})
    if name:
        rm["strategy_name"] = "RsiDip"
    return {"loss": round(-total / 100, 6), "params_dict": params,
            "params_details": {"buy": {k: v for k, v in params.items()
                                       if k.startswith("buy")},
                               "sell": {k: v for k, v in params.items()
                                        if k.startswith("sell")},
                               "stoploss": {"stoploss": params["stoploss"]}},
            "params_not_optimized": {"roi": {"0": 0.05}},
            "results_metrics": rm,
            "results_explanation": f"{trades} trades. Total profit {total} USDT",
            "total_profit": total, "current_epoch": n,
            "is_initial_point": n <= 2, "is_random": n <= 2,
            "is_best": best, "fthypt_fileversion": 2}

with open("logs/hyperopt_results/strategy_RsiDip_2024-03-11_08-30-00.fthypt",
          "w") as f:
    for e in [epoch(1, {"buy_rsi": 31, "sell_rsi": 72, "stoploss": -0.08,
                        "trailing_stop": False}, 41.25, 58, best=True),
              epoch(2, {"buy_rsi": 24, "sell_rsi": 80, "stoploss": -0.12,
                        "trailing_stop": True}, -13.5, 33, name=False),
              epoch(3, {"buy_rsi": 28, "sell_rsi": 75, "stoploss": -0.1,
                        "trailing_stop": False}, 57.0, 71, sharpe=False,
                    best=True)]:
        f.write(json.dumps(e, separators=(",", ":")) + "\n")
