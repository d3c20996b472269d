//! The node's allocator: jemalloc, with its background threads on.
//!
//! glibc's malloc keeps memory a process freed in its arenas: after building the 100,000-peer
//! synthetic genesis a node held 2.8 GB resident that it no longer used (a `malloc_trim` brought
//! it to 69 MB). jemalloc's background threads give freed pages back to the operating system
//! within seconds, also from the arenas of threads that stopped allocating (docs/performance.md,
//! "Node memory").
//!
//! The background threads are switched on at start-up through `mallctl`, not by a build-time
//! default, so the node behaves the same whether jemalloc was compiled from source by
//! `tikv-jemalloc-sys` or is the system's library (`JEMALLOC_OVERRIDE`, which the project's
//! scripts set to Debian's `libjemalloc_pic.a` to save compiling it; docs/development.md). The
//! start-up log says which jemalloc runs and whether its background threads are on.

#[cfg(all(unix, not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Why the background threads could not be switched on, kept for the start-up log (logging is
/// set up later than this is called).
static START_ERROR: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Switches jemalloc's background threads on. Called first thing in `main`, before the node
/// allocates much; a failure is not fatal (the node runs, holding more memory) and is reported
/// by [`describe`].
pub fn start_background_threads() {
	#[cfg(all(unix, not(target_env = "musl")))]
	if let Err(error) = tikv_jemalloc_ctl::background_thread::write(true) {
		let _ = START_ERROR.set(error.to_string());
	}
}

/// One line for the start-up log: the allocator, its version and whether background threads run,
/// e.g. `jemalloc 5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c, background threads on`.
pub fn describe() -> String {
	#[cfg(all(unix, not(target_env = "musl")))]
	{
		let version = tikv_jemalloc_ctl::version::read().unwrap_or("of unknown version");
		let threads = match (tikv_jemalloc_ctl::background_thread::read(), START_ERROR.get()) {
			(Ok(true), _) => "on".to_string(),
			(_, Some(error)) => format!("off ({error})"),
			(Ok(false), None) => "off".to_string(),
			(Err(error), None) => format!("unknown ({error})"),
		};
		format!("jemalloc {version}, background threads {threads}")
	}
	#[cfg(not(all(unix, not(target_env = "musl"))))]
	{
		"the system's malloc".to_string()
	}
}
