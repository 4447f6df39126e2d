//! Program tests on the in-process bank. One binary, one module per area.

mod rebalance;
mod rejections;
mod scenario;
