//! `repute-node`: the Repute blockchain node.
//!
//! Aura block production, GRANDPA finality, ParityDB storage, the standard Substrate RPCs and the
//! Repute RPC extension. Errors are reported in one line on stderr with exit code 1.

mod allocator;
mod chain_spec;
mod cli;
mod command;
mod preflight;
mod rpc;
mod service;

fn main() {
	allocator::start_background_threads();
	if let Err(error) = command::run() {
		eprintln!("Error: {}", command::describe(&error));
		std::process::exit(1);
	}
}
