//! The side-by-side simulation of serving policies, and the chain set-up it (and the tests)
//! share: a real `repute-node` per run ([`node`]), funded and registered peers, and governance
//! that shortens the chain's clocks for a run of minutes ([`setup`]).

pub mod node;
pub mod plot;
pub mod report;
pub mod scenario;
pub mod setup;
