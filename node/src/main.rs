//! `repute-node`: the Repute blockchain node.
//!
//! Aura block production, GRANDPA finality, ParityDB storage, the standard Substrate RPCs and the
//! Repute RPC extension. Errors are reported in one line on stderr with exit code 1.

mod chain_spec;
mod cli;
mod command;
mod preflight;
mod rpc;
mod service;

/// The node's allocator. glibc's malloc keeps memory a process freed in its arenas: after
/// building the 100,000-peer synthetic genesis a node held 2.8 GB resident that it no longer
/// used (a `malloc_trim` brought it to 69 MB). jemalloc's background threads (enabled by the
/// `background_threads` feature) give freed pages back to the operating system within seconds,
/// also from the arenas of threads that stopped allocating (docs/performance.md, "Node memory").
#[cfg(all(unix, not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
	if let Err(error) = command::run() {
		eprintln!("Error: {}", command::describe(&error));
		std::process::exit(1);
	}
}
