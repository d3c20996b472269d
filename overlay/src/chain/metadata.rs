//! The check that a node runs the runtime this client encodes for.
//!
//! The client writes transactions, calls and storage keys by hand ([`super::calls`],
//! [`super::extrinsic`], [`super::keys`]): pallet and call indices, argument layouts, storage
//! prefixes and hashers, the transaction extensions. A runtime upgrade that moves any of them
//! would make it sign transactions that do something else, or read the wrong bytes. So before
//! it signs anything for a runtime version it has not checked, [`super::ChainClient`] reads the
//! node's metadata (`state_getMetadata`) and compares, with [`check`], every item it relies on:
//! - the extrinsic format (4) and the transaction extensions, by name and in order;
//! - each call it sends: the pallet's name and index, the call's name and index, and the
//!   arguments' layout (their names and SCALE shapes, resolved through the type registry);
//! - each storage item it reads: pallet prefix, item name, hashers and key and value layouts.
//!
//! A runtime that differs in any of these is refused with [`ChainError::IncompatibleRuntime`]
//! naming the first difference; one that differs only elsewhere (a new pallet, a new call, other
//! types) is accepted, so ordinary upgrades need no new client. This is the check that subxt's
//! static codegen makes with hashes of the same items (docs/overlay.md compares the two).
//!
//! [`ChainError::IncompatibleRuntime`]: crate::ChainError::IncompatibleRuntime

use super::calls::{index, CallIndex};
use codec::Decode;
use frame_metadata::{
	v14::{PalletMetadata, RuntimeMetadataV14, StorageEntryType, StorageHasher},
	RuntimeMetadata, RuntimeMetadataPrefixed,
};
use repute_primitives::{
	parameters::{ReceiptParameters, ReputationParameters},
	payments::{Channel, PaymentParameters},
	pricing::PriceBounds,
	ServiceId,
};
use scale_info::{
	form::PortableForm, meta_type, Field, MetaType, PortableRegistry, Registry, TypeDef,
};

/// The longest metadata the client reads, in bytes (Repute's is about 0.2 MB).
pub const MAX_METADATA_BYTES: usize = 8 * 1024 * 1024;

/// The transaction extensions [`super::extrinsic::signed`] writes, in order.
pub const EXTENSIONS: &[&str] = &[
	"CheckNonZeroSender",
	"CheckSpecVersion",
	"CheckTxVersion",
	"CheckGenesis",
	"CheckMortality",
	"CheckNonce",
	"CheckWeight",
	"ChargeTransactionPayment",
	"CheckMetadataHash",
	"WeightReclaim",
];

/// What a call's arguments must be.
pub enum Arguments {
	/// This layout, as [`shape`] writes it: arguments the client encodes from plain values.
	Layout(&'static str),
	/// These named arguments of the types the client encodes: their layouts are derived from
	/// the client's own types (which derive `TypeInfo`, as the runtime's do).
	Types(&'static [(&'static str, fn() -> MetaType)]),
	/// The runtime's whole call type (`Sudo.sudo`'s argument): each call the client wraps in it
	/// is checked on its own.
	RuntimeCall,
}

/// What a storage item's value must be.
pub enum Value {
	/// Anything: the client reads only whether the item exists.
	Any,
	/// This layout.
	Layout(&'static str),
	/// The layout of the client's type that decodes it.
	Type(fn() -> MetaType),
}

/// A call the client sends, as the runtime's metadata must describe it.
pub struct ExpectedCall {
	/// Where it stands: the very indices [`super::calls::Call`] writes.
	pub index: CallIndex,
	/// Its arguments.
	pub arguments: Arguments,
}

/// A storage item the client reads.
pub struct ExpectedStorage {
	/// The pallet's storage prefix and the item's name.
	pub item: (&'static str, &'static str),
	/// Its hashers, one a key.
	pub hashers: &'static [StorageHasher],
	/// The key's layout (a tuple for several keys); empty, with no hashers, for a plain value.
	pub key: &'static str,
	/// The value.
	pub value: Value,
}

/// The layout of an account id.
const ACCOUNT: &str = "[u8;32]";
/// The layout of a (first account, second account, service) key.
const PAIR: &str = "([u8;32],[u8;32],u32)";
const PAIR_HASHERS: &[StorageHasher] = &[
	StorageHasher::Blake2_128Concat,
	StorageHasher::Blake2_128Concat,
	StorageHasher::Twox64Concat,
];

/// Every call of [`super::calls::Call`].
pub const CALLS: &[ExpectedCall] = &[
	ExpectedCall { index: index::REGISTER, arguments: Arguments::Layout("{}") },
	ExpectedCall { index: index::UNREGISTER, arguments: Arguments::Layout("{}") },
	ExpectedCall {
		index: index::SUBMIT_RECEIPTS,
		arguments: Arguments::Types(&[("receipts", meta_type::<Vec<crate::SignedReceipt>>)]),
	},
	ExpectedCall {
		index: index::SET_RECEIPT_PARAMETERS,
		arguments: Arguments::Types(&[("new", meta_type::<ReceiptParameters<u128, u32>>)]),
	},
	ExpectedCall {
		index: index::SET_REPUTATION_PARAMETERS,
		arguments: Arguments::Types(&[("new", meta_type::<ReputationParameters>)]),
	},
	ExpectedCall {
		index: index::SET_PRETRUSTED,
		arguments: Arguments::Layout("{peers:Vec<[u8;32]>}"),
	},
	ExpectedCall {
		index: index::OPEN_CHANNEL,
		arguments: Arguments::Layout("{provider:[u8;32],service:u32,price:u128,escrow:u128}"),
	},
	ExpectedCall {
		index: index::TOP_UP,
		arguments: Arguments::Layout("{provider:[u8;32],service:u32,amount:u128}"),
	},
	ExpectedCall {
		index: index::CLOSE_CHANNEL,
		arguments: Arguments::Layout("{provider:[u8;32],service:u32}"),
	},
	ExpectedCall {
		index: index::SETTLE_CHANNEL,
		arguments: Arguments::Layout("{consumer:[u8;32],provider:[u8;32],service:u32}"),
	},
	ExpectedCall {
		index: index::SET_PAYMENT_PARAMETERS,
		arguments: Arguments::Types(&[("parameters", meta_type::<PaymentParameters<u128, u32>>)]),
	},
	ExpectedCall {
		index: index::SET_PRICE_BOUNDS,
		arguments: Arguments::Types(&[
			("service", meta_type::<ServiceId>),
			("bounds", meta_type::<Option<PriceBounds<u128>>>),
		]),
	},
	ExpectedCall {
		index: index::TRANSFER,
		// `dest` is written as `MultiAddress::Id` (variant 0) and an account.
		arguments: Arguments::Layout(
			"{dest:enum{0:Id([u8;32]),1:Index(Compact<()>),2:Raw(Vec<u8>),3:Address32([u8;32]),\
			 4:Address20([u8;20])},value:Compact<u128>}",
		),
	},
	ExpectedCall { index: index::SUDO_CALL, arguments: Arguments::RuntimeCall },
];

/// Every item of [`super::keys`].
pub const STORAGE: &[ExpectedStorage] = &[
	ExpectedStorage {
		item: ("Receipts", "Served"),
		hashers: PAIR_HASHERS,
		key: PAIR,
		// The client reads the first two fields (`ChainClient::recorded_at`).
		value: Value::Layout("{sequence:u64,cumulative_units:u128,last_update:u32}"),
	},
	ExpectedStorage {
		item: ("Receipts", "Peers"),
		hashers: &[StorageHasher::Blake2_128Concat],
		key: ACCOUNT,
		value: Value::Any,
	},
	ExpectedStorage {
		item: ("Payments", "Channels"),
		hashers: PAIR_HASHERS,
		key: PAIR,
		value: Value::Type(meta_type::<Channel<u128, u32>>),
	},
	ExpectedStorage {
		item: ("Reputation", "Strangers"),
		hashers: &[],
		key: "",
		// [`super::StrangerPolicy`] decodes it.
		value: Value::Layout("{allowance:u128,reciprocated:u32,defected:u32,halved_at:u32}"),
	},
	ExpectedStorage {
		item: ("Reputation", "PreTrusted"),
		hashers: &[],
		key: "",
		// [`super::ChainClient::pre_trusted`] decodes it (a bounded vector of accounts).
		value: Value::Layout("Vec<[u8;32]>"),
	},
	ExpectedStorage {
		item: ("System", "Account"),
		hashers: &[StorageHasher::Blake2_128Concat],
		key: ACCOUNT,
		// [`super::keys::free_balance`] reads the `u128` after four `u32`s.
		value: Value::Layout(
			"{nonce:u32,consumers:u32,providers:u32,sufficients:u32,data:{free:u128,\
			 reserved:u128,frozen:u128,flags:u128}}",
		),
	},
];

/// The layout of the client's own type.
fn layout_of(ty: fn() -> MetaType) -> String {
	let mut registry = Registry::new();
	let id = registry.register_type(&ty()).id;
	shape(&PortableRegistry::from(registry), id)
}

/// Reads SCALE-encoded metadata (`state_getMetadata`'s bytes) and [`check`]s it.
pub fn check_encoded(bytes: &[u8]) -> Result<(), String> {
	if bytes.len() > MAX_METADATA_BYTES {
		return Err(format!("metadata of {} bytes (at most {MAX_METADATA_BYTES})", bytes.len()));
	}
	let metadata = RuntimeMetadataPrefixed::decode(&mut &bytes[..])
		.map_err(|e| format!("metadata that does not decode: {e}"))?;
	check(&metadata)
}

/// Whether `metadata` describes every item the client relies on as the client writes it;
/// `Err` names the first that differs.
pub fn check(metadata: &RuntimeMetadataPrefixed) -> Result<(), String> {
	let RuntimeMetadata::V14(metadata) = &metadata.1 else {
		return Err("metadata that is not version 14".into());
	};
	let RuntimeMetadataV14 { types, pallets, extrinsic, .. } = metadata;
	if extrinsic.version != 4 {
		return Err(format!("extrinsic format {} (this client writes 4)", extrinsic.version));
	}
	let extensions: Vec<&str> =
		extrinsic.signed_extensions.iter().map(|e| e.identifier.as_str()).collect();
	if extensions != EXTENSIONS {
		return Err(format!(
			"transaction extensions {extensions:?} (this client writes {EXTENSIONS:?})"
		));
	}
	for expected in CALLS {
		check_call(types, pallets, expected)?;
	}
	for expected in STORAGE {
		check_storage(types, pallets, expected)?;
	}
	Ok(())
}

fn check_call(
	types: &PortableRegistry,
	pallets: &[PalletMetadata<PortableForm>],
	expected: &ExpectedCall,
) -> Result<(), String> {
	let (pallet_name, pallet_index) = expected.index.pallet;
	let (call_name, call_index) = expected.index.call;
	let pallet = pallets
		.iter()
		.find(|p| p.name == pallet_name)
		.ok_or_else(|| format!("no pallet {pallet_name}"))?;
	if pallet.index != pallet_index {
		return Err(format!(
			"pallet {pallet_name} at index {} (this client sends {pallet_index})",
			pallet.index
		));
	}
	let calls = pallet.calls.as_ref().ok_or_else(|| format!("{pallet_name} has no calls"))?;
	let Some(TypeDef::Variant(variants)) = types.resolve(calls.ty.id).map(|t| &t.type_def) else {
		return Err(format!("{pallet_name}'s calls are not an enum"));
	};
	let call = variants
		.variants
		.iter()
		.find(|v| v.name == call_name)
		.ok_or_else(|| format!("no call {pallet_name}.{call_name}"))?;
	if call.index != call_index {
		return Err(format!(
			"{pallet_name}.{call_name} at index {} (this client sends {call_index})",
			call.index
		));
	}
	let found = fields_shape(types, &call.fields);
	let wanted = match &expected.arguments {
		Arguments::Layout(layout) => layout.to_string(),
		Arguments::Types(arguments) => {
			let fields: Vec<String> =
				arguments.iter().map(|(name, ty)| format!("{name}:{}", layout_of(*ty))).collect();
			format!("{{{}}}", fields.join(","))
		}
		Arguments::RuntimeCall => {
			let is_call = |f: &Field<PortableForm>| {
				types.resolve(f.ty.id).and_then(|t| t.path.ident()).as_deref()
					== Some("RuntimeCall")
			};
			if let [only] = &call.fields[..] {
				if is_call(only) {
					return Ok(());
				}
			}
			"{call:RuntimeCall}".to_string()
		}
	};
	if found != wanted {
		return Err(format!(
			"{pallet_name}.{call_name} takes {found} (this client sends {wanted})"
		));
	}
	Ok(())
}

fn check_storage(
	types: &PortableRegistry,
	pallets: &[PalletMetadata<PortableForm>],
	expected: &ExpectedStorage,
) -> Result<(), String> {
	let (prefix, name) = expected.item;
	let entry = pallets
		.iter()
		.filter_map(|p| p.storage.as_ref())
		.find(|s| s.prefix == prefix)
		.and_then(|s| s.entries.iter().find(|e| e.name == name))
		.ok_or_else(|| format!("no storage item {prefix}.{name}"))?;
	let (hashers, key, value) = match &entry.ty {
		StorageEntryType::Plain(value) => (&[][..], String::new(), value),
		StorageEntryType::Map { hashers, key, value } => {
			(&hashers[..], shape(types, key.id), value)
		}
	};
	if hashers != expected.hashers {
		return Err(format!(
			"{prefix}.{name} hashed {hashers:?} (this client hashes {:?})",
			expected.hashers
		));
	}
	if key != expected.key {
		return Err(format!(
			"{prefix}.{name} keyed by {key} (this client writes {})",
			expected.key
		));
	}
	let wanted = match &expected.value {
		Value::Any => return Ok(()),
		Value::Layout(layout) => layout.to_string(),
		Value::Type(ty) => layout_of(*ty),
	};
	let value = shape(types, value.id);
	if value != wanted {
		return Err(format!("{prefix}.{name} holds {value} (this client reads {wanted})"));
	}
	Ok(())
}

/// The most a layout is written out to; past it, it ends in `…` (and so matches nothing
/// expected): a hostile node's metadata cannot make the check slow.
const MAX_SHAPE: usize = 4096;
/// The deepest a layout is written out.
const MAX_DEPTH: usize = 16;

/// The SCALE layout of type `id`: what its encoding is, with field and variant names, and
/// single-field wrappers (`BoundedVec`, `AccountId32`, `Perbill`, …) written as what they wrap.
pub fn shape(types: &PortableRegistry, id: u32) -> String {
	let mut out = String::new();
	write_shape(types, id, 0, &mut out);
	out
}

fn fields_shape(types: &PortableRegistry, fields: &[Field<PortableForm>]) -> String {
	let mut out = String::new();
	write_fields(types, fields, 0, &mut out);
	out
}

fn write_shape(types: &PortableRegistry, id: u32, depth: usize, out: &mut String) {
	if out.len() > MAX_SHAPE || depth > MAX_DEPTH {
		out.push('…');
		return;
	}
	let Some(ty) = types.resolve(id) else {
		out.push('?');
		return;
	};
	match &ty.type_def {
		TypeDef::Composite(composite) if composite.fields.len() == 1 => {
			write_shape(types, composite.fields[0].ty.id, depth + 1, out)
		}
		TypeDef::Composite(composite) => write_fields(types, &composite.fields, depth, out),
		TypeDef::Variant(variant) => {
			out.push_str("enum{");
			for (i, v) in variant.variants.iter().enumerate() {
				if i > 0 {
					out.push(',');
				}
				out.push_str(&format!("{}:{}", v.index, v.name));
				if !v.fields.is_empty() {
					// A variant's fields are written in parentheses, named or not.
					let mut inner = String::new();
					write_fields(types, &v.fields, depth + 1, &mut inner);
					if inner.starts_with('(') {
						out.push_str(&inner);
					} else {
						out.push('(');
						out.push_str(&inner);
						out.push(')');
					}
				}
			}
			out.push('}');
		}
		TypeDef::Sequence(sequence) => {
			out.push_str("Vec<");
			write_shape(types, sequence.type_param.id, depth + 1, out);
			out.push('>');
		}
		TypeDef::Array(array) => {
			out.push('[');
			write_shape(types, array.type_param.id, depth + 1, out);
			out.push_str(&format!(";{}]", array.len));
		}
		TypeDef::Tuple(tuple) => {
			out.push('(');
			for (i, field) in tuple.fields.iter().enumerate() {
				if i > 0 {
					out.push(',');
				}
				write_shape(types, field.id, depth + 1, out);
			}
			out.push(')');
		}
		TypeDef::Primitive(primitive) => out.push_str(&format!("{primitive:?}").to_lowercase()),
		TypeDef::Compact(compact) => {
			out.push_str("Compact<");
			write_shape(types, compact.type_param.id, depth + 1, out);
			out.push('>');
		}
		TypeDef::BitSequence(_) => out.push_str("BitVec"),
	}
}

/// Fields as `{name:layout,…}` when named, `(layout,…)` when not; a single unnamed field as its
/// own layout.
fn write_fields(
	types: &PortableRegistry,
	fields: &[Field<PortableForm>],
	depth: usize,
	out: &mut String,
) {
	let named = fields.iter().all(|f| f.name.is_some());
	if let [only] = fields {
		if only.name.is_none() {
			return write_shape(types, only.ty.id, depth + 1, out);
		}
	}
	out.push(if named { '{' } else { '(' });
	for (i, field) in fields.iter().enumerate() {
		if i > 0 {
			out.push(',');
		}
		if let Some(name) = &field.name {
			out.push_str(name);
			out.push(':');
		}
		write_shape(types, field.ty.id, depth + 1, out);
	}
	out.push(if named { '}' } else { ')' });
}

#[cfg(test)]
mod tests {
	use super::*;
	use codec::Encode;
	use frame_metadata::v14::StorageEntryType;
	use scale_info::{TypeDef, TypeDefPrimitive};

	/// This repository's runtime's metadata, as a node serves it.
	fn runtime() -> RuntimeMetadataPrefixed {
		let bytes = repute_runtime::Runtime::metadata().encode();
		RuntimeMetadataPrefixed::decode(&mut &bytes[..]).expect("it decodes")
	}

	fn v14(metadata: &mut RuntimeMetadataPrefixed) -> &mut RuntimeMetadataV14 {
		match &mut metadata.1 {
			RuntimeMetadata::V14(v14) => v14,
			_ => panic!("not version 14"),
		}
	}

	fn pallet<'a>(
		metadata: &'a mut RuntimeMetadataPrefixed,
		name: &str,
	) -> &'a mut PalletMetadata<PortableForm> {
		v14(metadata).pallets.iter_mut().find(|p| p.name == name).expect("the pallet")
	}

	/// The variant of `pallet`'s call `name`, mutably.
	fn call<'a>(
		metadata: &'a mut RuntimeMetadataPrefixed,
		pallet_name: &str,
		name: &str,
	) -> &'a mut scale_info::Variant<PortableForm> {
		let id = pallet(metadata, pallet_name).calls.as_ref().unwrap().ty.id;
		let ty = &mut v14(metadata).types.types[id as usize].ty;
		let TypeDef::Variant(variants) = &mut ty.type_def else { panic!("calls are an enum") };
		variants.variants.iter_mut().find(|v| v.name == name).expect("the call")
	}

	#[test]
	fn this_repositorys_runtime_matches_the_client() {
		assert_eq!(check(&runtime()), Ok(()));
		assert_eq!(check_encoded(&repute_runtime::Runtime::metadata().encode()), Ok(()));
	}

	/// Every way a runtime upgrade could make the client's transactions or reads wrong is
	/// refused, naming the item.
	#[test]
	fn a_runtime_that_moved_what_the_client_writes_is_refused() {
		let refused = |change: &dyn Fn(&mut RuntimeMetadataPrefixed)| {
			let mut metadata = runtime();
			change(&mut metadata);
			check(&metadata).expect_err("a changed runtime must be refused")
		};
		// A pallet moved.
		let error = refused(&|m| pallet(m, "Receipts").index = 13);
		assert_eq!(error, "pallet Receipts at index 13 (this client sends 10)");
		// A call renumbered, or renamed.
		let error = refused(&|m| call(m, "Payments", "top_up").index = 9);
		assert_eq!(error, "Payments.top_up at index 9 (this client sends 1)");
		let error = refused(&|m| call(m, "Receipts", "submit_receipts").name = "submit".into());
		assert_eq!(error, "no call Receipts.submit_receipts");
		// An argument added, or of another type.
		let error = refused(&|m| {
			let extra = call(m, "Payments", "close_channel").fields[1].clone();
			call(m, "Payments", "close_channel").fields.push(extra);
		});
		assert!(
			error.starts_with(
				"Payments.close_channel takes {provider:[u8;32],service:u32,service:u32}"
			),
			"{error}"
		);
		// Two arguments of one type swapped: same bytes, other meaning.
		let error = refused(&|m| call(m, "Payments", "open_channel").fields.swap(2, 3));
		assert!(
			error.starts_with(
				"Payments.open_channel takes {provider:[u8;32],service:u32,escrow:u128,price:u128}"
			),
			"{error}"
		);
		// A primitive changed.
		let error = refused(&|m| {
			let service = call(m, "Payments", "top_up").fields[1].ty.id;
			v14(m).types.types[service as usize].ty.type_def =
				TypeDef::Primitive(TypeDefPrimitive::U64);
		});
		assert!(error.contains("service:u64"), "{error}");
		// A field of a receipt (a type the client encodes from its own) reordered.
		let error = refused(&|m| {
			let receipts = call(m, "Receipts", "submit_receipts").fields[0].ty.id;
			let mut id = receipts;
			// Vec<SignedReceipt> (perhaps in a BoundedVec) -> SignedReceipt -> Receipt.
			loop {
				match &v14(m).types.types[id as usize].ty.type_def {
					TypeDef::Composite(c) if c.fields.len() == 1 => id = c.fields[0].ty.id,
					TypeDef::Sequence(s) => id = s.type_param.id,
					TypeDef::Composite(c) if c.fields[0].name.as_deref() == Some("receipt") => {
						id = c.fields[0].ty.id
					}
					TypeDef::Composite(_) => break,
					other => panic!("unexpected {other:?}"),
				}
			}
			let TypeDef::Composite(receipt) = &mut v14(m).types.types[id as usize].ty.type_def
			else {
				unreachable!()
			};
			receipt.fields.swap(0, 1);
		});
		assert!(error.starts_with("Receipts.submit_receipts takes"), "{error}");
		// The governance parameters the client encodes changed.
		let error = refused(&|m| {
			call(m, "Reputation", "set_parameters").fields[0].name = Some("parameters".into())
		});
		assert!(error.starts_with("Reputation.set_parameters takes {parameters:"), "{error}");
		// `sudo` takes something else than a call.
		let error = refused(&|m| {
			let u32_type = call(m, "Payments", "top_up").fields[1].ty;
			call(m, "Sudo", "sudo").fields[0].ty = u32_type;
		});
		assert_eq!(error, "Sudo.sudo takes {call:u32} (this client sends {call:RuntimeCall})");
		// A transaction extension added.
		let error = refused(&|m| {
			let extension = v14(m).extrinsic.signed_extensions[0].clone();
			v14(m).extrinsic.signed_extensions.push(extension);
		});
		assert!(error.starts_with("transaction extensions"), "{error}");
		// A storage item rehashed, rekeyed, or its value changed.
		let error = refused(&|m| {
			let storage = pallet(m, "Receipts").storage.as_mut().unwrap();
			let peers = storage.entries.iter_mut().find(|e| e.name == "Peers").unwrap();
			let StorageEntryType::Map { hashers, .. } = &mut peers.ty else { unreachable!() };
			hashers[0] = StorageHasher::Twox64Concat;
		});
		assert!(error.starts_with("Receipts.Peers hashed [Twox64Concat]"), "{error}");
		let error = refused(&|m| {
			let u32_type = call(m, "Payments", "top_up").fields[1].ty;
			let storage = pallet(m, "System").storage.as_mut().unwrap();
			let account = storage.entries.iter_mut().find(|e| e.name == "Account").unwrap();
			let StorageEntryType::Map { value, .. } = &mut account.ty else { unreachable!() };
			*value = u32_type;
		});
		assert!(error.starts_with("System.Account holds u32"), "{error}");
		// A plain value the client reads turned into a map, or given another layout.
		let error = refused(&|m| {
			let storage = pallet(m, "Reputation").storage.as_mut().unwrap();
			let strangers = storage.entries.iter_mut().find(|e| e.name == "Strangers").unwrap();
			let StorageEntryType::Plain(value) = strangers.ty else { unreachable!() };
			strangers.ty = StorageEntryType::Map {
				hashers: vec![StorageHasher::Twox64Concat],
				key: value,
				value,
			};
		});
		assert!(error.starts_with("Reputation.Strangers hashed [Twox64Concat]"), "{error}");
		let error = refused(&|m| {
			let u32_type = call(m, "Payments", "top_up").fields[1].ty;
			let storage = pallet(m, "Reputation").storage.as_mut().unwrap();
			let strangers = storage.entries.iter_mut().find(|e| e.name == "Strangers").unwrap();
			strangers.ty = StorageEntryType::Plain(u32_type);
		});
		assert!(error.starts_with("Reputation.Strangers holds u32"), "{error}");
		let error = refused(&|m| v14(m).extrinsic.version = 5);
		assert_eq!(error, "extrinsic format 5 (this client writes 4)");
	}

	/// The layouts the client writes out by hand are the runtime's (kept here so a reader sees
	/// what each call carries); the derived ones too.
	#[test]
	fn layouts_read_as_documented() {
		let metadata = runtime();
		let RuntimeMetadata::V14(v14) = &metadata.1 else { panic!() };
		let channels = v14
			.pallets
			.iter()
			.find(|p| p.name == "Payments")
			.and_then(|p| p.storage.as_ref())
			.and_then(|s| s.entries.iter().find(|e| e.name == "Channels"))
			.unwrap();
		let StorageEntryType::Map { value, .. } = &channels.ty else { panic!() };
		assert_eq!(shape(&v14.types, value.id), layout_of(meta_type::<Channel<u128, u32>>));
		assert_eq!(
			layout_of(meta_type::<Option<PriceBounds<u128>>>),
			"enum{0:None,1:Some({floor:u128,ceiling:u128,target_units:u128})}"
		);
	}

	proptest::proptest! {
		/// Whatever a node sends as metadata, the check answers (`Err` for anything but a
		/// matching runtime) without panicking.
		#[test]
		fn any_bytes_are_refused_not_a_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
			proptest::prop_assert!(check_encoded(&bytes).is_err());
		}
	}

	/// A registry whose types refer to themselves (a hostile node's) is written out to a bound.
	#[test]
	fn self_referring_types_are_written_to_a_bound() {
		let metadata = runtime();
		let RuntimeMetadata::V14(v14) = &metadata.1 else { panic!() };
		let mut types = v14.types.clone();
		types.types[0].ty.type_def =
			TypeDef::Sequence(scale_info::TypeDefSequence::new(0u32.into()));
		let written = shape(&types, 0);
		assert!(written.contains('…'), "{written}");
		assert!(written.len() < 2 * MAX_SHAPE, "{}", written.len());
	}
}
