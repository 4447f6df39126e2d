//! Tables for people; the amount formatting is the SDK's (`turbo_sdk::text`).

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

pub use turbo_sdk::text::*;

pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled).set_header(header.to_vec());
    t
}

/// USDC's decimals: the program counts USDC in micro-USD.
pub const USDC: u32 = turbo_sdk::math::USD_DECIMALS;
/// The decimals of Turbo tokens and LP shares (the program's `SHARE_DECIMALS`).
pub const SHARES: u32 = turbo_sdk::turbo::constants::SHARE_DECIMALS as u32;
