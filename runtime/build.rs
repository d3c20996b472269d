//! Builds the wasm runtime blob that the node embeds as its genesis runtime.

#[cfg(all(feature = "std", feature = "metadata-hash"))]
fn main() {
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("REP", 12)
		.build();
}

#[cfg(all(feature = "std", not(feature = "metadata-hash")))]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

/// The wasm build of the runtime itself needs no build script.
#[cfg(not(feature = "std"))]
fn main() {}
