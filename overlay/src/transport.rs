//! Swarms for overlay peers: TCP (real apps) or libp2p's in-memory transport (many peers in one
//! process, for simulations and tests), both with noise and yamux.

use crate::Identity;
use libp2p::{
	core::{transport::MemoryTransport, upgrade::Version},
	noise,
	swarm::NetworkBehaviour,
	tcp, yamux, Swarm, SwarmBuilder, Transport,
};
use std::time::Duration;

/// Which transport a swarm uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportKind {
	/// TCP (listen on `/ip4/…/tcp/…`).
	Tcp,
	/// In-process memory (listen on `/memory/<n>`).
	Memory,
}

/// A swarm of `identity` running `behaviour` on the tokio runtime. Idle connections stay open
/// for `idle_timeout`.
pub fn build_swarm<B: NetworkBehaviour>(
	identity: &Identity,
	behaviour: B,
	kind: TransportKind,
	idle_timeout: Duration,
) -> Result<Swarm<B>, Box<dyn std::error::Error + Send + Sync>> {
	let builder = SwarmBuilder::with_existing_identity(identity.keypair().clone()).with_tokio();
	let swarm = match kind {
		TransportKind::Tcp => builder
			.with_tcp(
				tcp::Config::default().nodelay(true),
				noise::Config::new,
				yamux::Config::default,
			)?
			.with_behaviour(|_| behaviour)?
			.with_swarm_config(|c| c.with_idle_connection_timeout(idle_timeout))
			.build(),
		TransportKind::Memory => builder
			.with_other_transport(|key| {
				let noise = noise::Config::new(key)
					.map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })?;
				Ok(MemoryTransport::default()
					.upgrade(Version::V1)
					.authenticate(noise)
					.multiplex(yamux::Config::default()))
			})?
			.with_behaviour(|_| behaviour)?
			.with_swarm_config(|c| c.with_idle_connection_timeout(idle_timeout))
			.build(),
	};
	Ok(swarm)
}
