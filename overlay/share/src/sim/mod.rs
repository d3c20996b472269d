//! The side-by-side simulation of serving policies: [`scenario`] runs one scenario under one
//! policy on a fresh dev chain ([`repute_overlay::devnet`]), [`report`] writes the CSV and the
//! summary; the `repute-sim` binary (`overlay/sim`) drives them and plots the PNGs.

pub mod report;
pub mod scenario;
