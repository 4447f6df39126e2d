//! `turbo-sim run <csv>` replays a price file through every strategy and writes a markdown
//! table, JSON and an SVG chart; `turbo-sim survival <csv>` runs the window study.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use turbo::state::PoolCaps;
use turbo::state::VaultParams;
use turbo_sim::lp;
use turbo_sim::report::{chart, json, markdown, metrics};
use turbo_sim::strategies::{self, Options, Path};
use turbo_sim::survival;

#[derive(Parser)]
#[command(name = "turbo-sim", version, about = "Backtest Turbo against spot, constant 3x, daily 3x, a 3x perp and Bear on real prices")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Replay one file (or a date slice of it) through every strategy.
    Run {
        csv: PathBuf,
        #[command(flatten)]
        common: Common,
        /// Title and output file stem (default: the file name).
        #[arg(long)]
        name: Option<String>,
        /// Directory for `<name>.md`, `.json` and `.svg`.
        #[arg(long, default_value = "target/sim")]
        out: PathBuf,
        /// A TrueType font for chart labels (default: DejaVu Sans from the system).
        #[arg(long)]
        font: Option<PathBuf>,
    },
    /// The LP study: a pool with the localnet vaults under seeded holder flows, over every file
    /// of price history, for three pool designs, plus a sweep of the risk cap and the funding.
    LpStudy {
        /// The folder of price files (`../shared/data`).
        data: PathBuf,
        /// Where `lp-*.md`, `.json` and `.svg` go.
        #[arg(long, default_value = "target/sim")]
        out: PathBuf,
        /// The risk cap's loss budget for the studied designs (bps of pool value for a z-sigma day).
        #[arg(long)]
        max_daily_loss_bps: Option<u16>,
        /// The funding rate at the cap of the third design, bps of notional a day (default: the
        /// SDK's).
        #[arg(long)]
        funding_bps_per_day: Option<u16>,
        /// The holders' seed.
        #[arg(long, default_value_t = 14)]
        seed: u64,
        /// Skip the parameter sweep.
        #[arg(long)]
        no_sweep: bool,
        #[arg(long)]
        font: Option<PathBuf>,
    },
    /// The hedged pool's study (issue 21): every file at 1x, 2x and 5x today's demand, the hedged
    /// design beside today's "risk cap + funding", and a sweep of its parameters.
    HedgeStudy {
        /// The folder of price files (`../shared/data`).
        data: PathBuf,
        /// Where `hedge-*.md`, `.json` and `.svg` go.
        #[arg(long, default_value = "target/sim")]
        out: PathBuf,
        /// The holders' seed.
        #[arg(long, default_value_t = 14)]
        seed: u64,
        /// Skip the parameter sweep.
        #[arg(long)]
        no_sweep: bool,
        /// The holders' mint sizes as a share of the LP study's $1,000–$100,000: 1x demand is
        /// the LP study's holders against a pool 100 times as large (docs/economics.md, "The
        /// hedged pool: a study").
        #[arg(long, default_value_t = 0.01)]
        size_scale: f64,
        /// Only the files whose name contains this.
        #[arg(long)]
        only: Option<String>,
        #[arg(long)]
        font: Option<PathBuf>,
    },
    /// From every start day, windows of N days: who ends at zero, is liquidated, loses > 90%.
    Survival {
        csv: PathBuf,
        #[command(flatten)]
        common: Common,
        #[arg(long, value_delimiter = ',', default_value = "30,90,365")]
        windows: Vec<u32>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "target/sim")]
        out: PathBuf,
    },
}

#[derive(ClapArgs, Clone)]
struct Common {
    /// First day (YYYY-MM-DD, inclusive).
    #[arg(long)]
    from: Option<String>,
    /// Last day (YYYY-MM-DD, inclusive).
    #[arg(long)]
    to: Option<String>,
    /// Call the keeper every N price steps.
    #[arg(long, default_value_t = 1)]
    keeper_every: usize,
    /// Leverage of the constant, daily and perp comparisons.
    #[arg(long, default_value_t = 3.0)]
    leverage: f64,
    /// Turbo target leverage (x); default: the SDK's Turbo parameters.
    #[arg(long)]
    target: Option<f64>,
    /// Turbo band on |L| (x); default: the SDK's.
    #[arg(long)]
    band_lo: Option<f64>,
    #[arg(long)]
    band_hi: Option<f64>,
    /// Turbo emergency level (x); default: the SDK's.
    #[arg(long)]
    emergency: Option<f64>,
    /// Step limit, bps; default: the SDK's.
    #[arg(long)]
    step_bps: Option<u16>,
    /// Minimum seconds between capped steps; default: the SDK's.
    #[arg(long)]
    interval_secs: Option<u32>,
    /// Volatility budget (annualized bps); also runs Turbo with it when > 0.
    #[arg(long, default_value_t = 0)]
    vol_budget_bps: u32,
    /// Fees, bps; default: the SDK's.
    #[arg(long)]
    mint_fee_bps: Option<u16>,
    #[arg(long)]
    redeem_fee_bps: Option<u16>,
    /// Perp maintenance margin.
    #[arg(long, default_value_t = 0.025)]
    maintenance: f64,
}

fn lev(x: f64) -> u64 {
    (x * 1e6).round() as u64
}

impl Common {
    fn options(&self) -> anyhow::Result<Options> {
        // Every flag left out keeps the SDK's default (turbo_sdk::defaults, the one home).
        let (t, b) = (turbo_sdk::defaults::turbo_params(), turbo_sdk::defaults::bear_params());
        let turbo = VaultParams {
            target_leverage: self.target.map_or(t.target_leverage, |x| lev(x) as i64),
            band_lo: self.band_lo.map_or(t.band_lo, lev),
            band_hi: self.band_hi.map_or(t.band_hi, lev),
            emergency_leverage: self.emergency.map_or(t.emergency_leverage, lev),
            step_bps: self.step_bps.unwrap_or(t.step_bps),
            min_interval_secs: self.interval_secs.unwrap_or(t.min_interval_secs),
            mint_fee_bps: self.mint_fee_bps.unwrap_or(t.mint_fee_bps),
            redeem_fee_bps: self.redeem_fee_bps.unwrap_or(t.redeem_fee_bps),
            ..t
        };
        let bear = VaultParams {
            mint_fee_bps: self.mint_fee_bps.unwrap_or(b.mint_fee_bps),
            redeem_fee_bps: self.redeem_fee_bps.unwrap_or(b.redeem_fee_bps),
            min_interval_secs: self.interval_secs.unwrap_or(b.min_interval_secs),
            step_bps: self.step_bps.unwrap_or(b.step_bps),
            ..b
        };
        // The same bounds the program enforces.
        for p in [&turbo, &bear] {
            p.validate().map_err(|e| anyhow::anyhow!("parameters out of the program's bounds: {e}"))?;
        }
        Ok(Options {
            leverage: self.leverage,
            turbo,
            bear,
            keeper_every: self.keeper_every.max(1),
            maintenance: self.maintenance,
            ..Options::default()
        })
    }

    fn load(&self, csv: &std::path::Path) -> anyhow::Result<Path> {
        let points = turbo_sdk::series::load_csv(csv).map_err(|e| anyhow::anyhow!(e))?;
        let day = |s: &Option<String>, end: bool| -> anyhow::Result<Option<i64>> {
            s.as_ref()
                .map(|d| {
                    let t = turbo_sdk::series::parse_time(d).ok_or_else(|| anyhow::anyhow!("bad date {d}"))?;
                    Ok(if end { t + 86_400 } else { t })
                })
                .transpose()
        };
        let (from, to) = (day(&self.from, false)?, day(&self.to, true)?);
        let kept: Vec<_> = points.into_iter().filter(|p| from.is_none_or(|f| p.time >= f) && to.is_none_or(|t| p.time < t)).collect();
        anyhow::ensure!(kept.len() >= 2, "fewer than two prices in the selected range");
        Ok(Path::from_points(&kept))
    }
}

fn stem(csv: &std::path::Path, name: &Option<String>) -> String {
    name.clone().unwrap_or_else(|| csv.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "run".into()))
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Run { csv, common, name, out, font } => {
            let path = common.load(&csv)?;
            let o = common.options()?;
            let name = stem(&csv, &name);
            let bar = ProgressBar::new(7).with_style(ProgressStyle::with_template("{msg:28} [{bar:30}] {pos}/{len}")?);
            bar.set_message(format!("{name}: {} steps", path.len()));
            let mut tracks = vec![strategies::spot(&path)];
            bar.inc(1);
            tracks.push(strategies::constant(&path, o.leverage));
            bar.inc(1);
            tracks.push(strategies::daily(&path, o.leverage));
            bar.inc(1);
            tracks.push(strategies::perp(&path, o.leverage, o.maintenance));
            bar.inc(1);
            tracks.push(strategies::turbo(&path, "Turbo", o.turbo, &o));
            bar.inc(1);
            if common.vol_budget_bps > 0 {
                let p = VaultParams { vol_budget_bps: common.vol_budget_bps, ..o.turbo };
                tracks.push(strategies::turbo(&path, &format!("Turbo (vol budget {}%)", common.vol_budget_bps / 100), p, &o));
            }
            bar.inc(1);
            tracks.push(strategies::turbo(&path, "Bear", o.bear, &o));
            bar.finish_and_clear();
            let rows: Vec<_> = tracks.iter().map(|t| metrics(&path, t)).collect();
            let title = format!("{name}: {} steps", path.len());
            std::fs::create_dir_all(&out)?;
            let md = markdown(&title, &rows);
            std::fs::write(out.join(format!("{name}.md")), &md)?;
            std::fs::write(out.join(format!("{name}.json")), json(&title, &path, &rows))?;
            let svg = out.join(format!("{name}.svg"));
            if let Err(e) = chart(&svg, &title, &path, &tracks, font.as_deref()) {
                eprintln!("chart not written: {e}");
            }
            print!("{md}");
        }
        Command::LpStudy { data, out, max_daily_loss_bps, funding_bps_per_day, seed, no_sweep, font } => {
            lp_study(&data, &out, max_daily_loss_bps, funding_bps_per_day, seed, !no_sweep, font.as_deref())?;
        }
        Command::HedgeStudy { data, out, seed, no_sweep, size_scale, only, font } => {
            hedge_study(&data, &out, seed, !no_sweep, size_scale, only.as_deref(), font.as_deref())?;
        }
        Command::Survival { csv, common, windows, name, out } => {
            let path = common.load(&csv)?;
            let o = common.options()?;
            let name = format!("{}-survival", stem(&csv, &name));
            let bar = ProgressBar::new(0).with_style(ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} windows ({eta})")?);
            bar.set_message(name.clone());
            let rows = survival::study(&path, &o, &windows, common.vol_budget_bps, |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            });
            bar.finish_and_clear();
            let md = survival::markdown(&name, &rows);
            std::fs::create_dir_all(&out)?;
            std::fs::write(out.join(format!("{name}.md")), &md)?;
            std::fs::write(out.join(format!("{name}.json")), serde_json::to_string_pretty(&rows)?)?;
            print!("{md}");
        }
    }
    Ok(())
}

/// The study's scenarios: each file with its asset's localnet vaults, and the three 3-minute
/// files together (the whole five-vault localnet pool).
fn scenarios(data: &std::path::Path) -> anyhow::Result<Vec<(String, Vec<lp::Asset>)>> {
    let load = |f: &str| -> anyhow::Result<Path> {
        Ok(Path::from_points(&turbo_sdk::series::load_csv(&data.join(f)).map_err(|e| anyhow::anyhow!(e))?))
    };
    let asset = |symbol: &'static str, path: Path| lp::Asset { symbol, path, bear: symbol != "FET" };
    let mut out = Vec::new();
    for (name, file, symbol) in [
        ("btc-1h-2020-2023", "btc_usd_1h_2020_2023.csv", "BTC"),
        ("sol-1d-2021-2024", "sol_usd_1d_2021_2024.csv", "SOL"),
        ("fet-1d-2021-2024", "fet_usd_1d_2021_2024.csv", "FET"),
        ("btc-3m-2024q4", "btc_usdt_3m_2024q4.csv", "BTC"),
        ("sol-3m-2024q4", "sol_usdt_3m_2024q4.csv", "SOL"),
        ("fet-3m-2024q4", "fet_usdt_3m_2024q4.csv", "FET"),
    ] {
        out.push((name.to_string(), vec![asset(symbol, load(file)?)]));
    }
    let aligned = lp::align(&[load("btc_usdt_3m_2024q4.csv")?, load("sol_usdt_3m_2024q4.csv")?, load("fet_usdt_3m_2024q4.csv")?]);
    let [btc, sol, fet]: [Path; 3] = aligned.try_into().map_err(|_| anyhow::anyhow!("three paths"))?;
    out.push(("all-3m-2024q4".to_string(), vec![asset("BTC", btc), asset("SOL", sol), asset("FET", fet)]));
    Ok(out)
}

fn hedge_study(
    data: &std::path::Path,
    out: &std::path::Path,
    seed: u64,
    sweep: bool,
    size_scale: f64,
    only: Option<&str>,
    font: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)?;
    let caps = turbo_sdk::defaults::pool_caps();
    let hedge = lp::HedgeSetup::defaults();
    let (turbo, bear) = (turbo_sdk::defaults::turbo_params(), turbo_sdk::defaults::bear_params());
    let scenarios: Vec<_> = scenarios(data)?.into_iter().filter(|(n, _)| only.is_none_or(|o| n.contains(o))).collect();
    let base = lp::Flows::default().sized(size_scale);
    let designs = lp::hedged_designs(caps, caps.funding_max_bps_per_day, hedge);
    let bar = ProgressBar::new(scenarios.len() as u64).with_style(ProgressStyle::with_template("{msg:24} [{bar:30}] {pos}/{len}")?);
    let mut all = String::new();
    let mut goals = String::from("| file | design | demand | in band ≥ 99% | capacity ≥ 0.5 | refused < 10% | no unpaid gains | drawdown < 30% | cheaper than a perp |\n|---|---|---:|---|---|---|---|---|---|\n");
    for (name, assets) in &scenarios {
        bar.set_message(name.clone());
        let mut runs = Vec::new();
        for demand in [1.0, 2.0, 5.0] {
            let flows = lp::Flows { seed, arrivals_per_day: base.arrivals_per_day * demand, ..base };
            for d in &designs {
                let r = lp::run(d, assets, &flows, turbo, bear);
                let marks: Vec<&str> = lp::hedge_goals(&r.metrics).iter().map(|(_, ok)| if *ok { "yes" } else { "**no**" }).collect();
                goals.push_str(&format!("| {name} | {} | {demand:.0}x | {} |\n", d.name, marks.join(" | ")));
                runs.push((demand, r));
            }
        }
        let title = format!("hedge-{name}: {} steps", assets[0].path.len());
        let md = lp::hedge_markdown(&title, &runs);
        std::fs::write(out.join(format!("hedge-{name}.md")), &md)?;
        std::fs::write(
            out.join(format!("hedge-{name}.json")),
            serde_json::to_string_pretty(&runs.iter().map(|(d, r)| (d, &r.metrics)).collect::<Vec<_>>())?,
        )?;
        let today: Vec<lp::LpRun> = runs.iter().filter(|(d, _)| *d == 1.0).map(|(_, r)| r.clone()).collect();
        if let Err(e) = lp::chart(&out.join(format!("hedge-{name}.svg")), &title, &today, font) {
            eprintln!("chart not written: {e}");
        }
        all.push_str(&md);
        all.push('\n');
        bar.inc(1);
    }
    bar.finish_and_clear();
    std::fs::write(out.join("hedge-goals.md"), &goals)?;
    print!("{all}{goals}");
    if sweep {
        let flows = lp::Flows { seed, ..base };
        let (md, points) = lp::hedge_sweep(&scenarios, &flows, caps, hedge, turbo, bear);
        std::fs::write(out.join("hedge-sweep.md"), &md)?;
        std::fs::write(out.join("hedge-sweep.json"), serde_json::to_string_pretty(&points)?)?;
        print!("{md}");
    }
    Ok(())
}

fn lp_study(
    data: &std::path::Path,
    out: &std::path::Path,
    max_daily_loss: Option<u16>,
    funding: Option<u16>,
    seed: u64,
    sweep: bool,
    font: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)?;
    let base = turbo_sdk::defaults::pool_caps();
    let caps = PoolCaps { max_daily_loss_bps: max_daily_loss.unwrap_or(base.max_daily_loss_bps), ..base };
    let flows = lp::Flows { seed, ..lp::Flows::default() };
    let (turbo, bear) = (turbo_sdk::defaults::turbo_params(), turbo_sdk::defaults::bear_params());
    let scenarios = scenarios(data)?;
    let designs = lp::designs(caps, funding.unwrap_or(base.funding_max_bps_per_day));
    let bar = ProgressBar::new(scenarios.len() as u64).with_style(ProgressStyle::with_template("{msg:24} [{bar:30}] {pos}/{len}")?);
    let mut all = String::new();
    for (name, assets) in &scenarios {
        bar.set_message(name.clone());
        let runs = lp::study(&designs, assets, &flows, turbo, bear);
        let title = format!("lp-{name}: {} steps", assets[0].path.len());
        let md = lp::markdown(&title, &runs);
        std::fs::write(out.join(format!("lp-{name}.md")), &md)?;
        std::fs::write(
            out.join(format!("lp-{name}.json")),
            serde_json::to_string_pretty(&runs.iter().map(|r| &r.metrics).collect::<Vec<_>>())?,
        )?;
        if let Err(e) = lp::chart(&out.join(format!("lp-{name}.svg")), &title, &runs, font) {
            eprintln!("chart not written: {e}");
        }
        all.push_str(&md);
        all.push('\n');
        bar.inc(1);
    }
    bar.finish_and_clear();
    print!("{all}");
    let worst = lp::worst_case(&scenarios, base);
    std::fs::write(out.join("lp-worst.md"), &worst)?;
    print!("{worst}");
    if sweep {
        let md = lp::sweep(&scenarios, &flows, base, turbo, bear);
        std::fs::write(out.join("lp-sweep.md"), &md)?;
        print!("{md}");
    }
    Ok(())
}
