//! The side-by-side simulation of serving policies: [`scenario`] runs one scenario under one
//! policy on a fresh dev chain ([`repute_overlay::devnet`]), [`report`] writes the CSV and the
//! summary, [`plot`] the PNG.

pub mod plot;
pub mod report;
pub mod scenario;
