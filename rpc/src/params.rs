//! How the `repute_*` methods read their parameters: by position (a JSON array) or by name (a
//! JSON object), against each method's [`Signature`].
//!
//! Stricter than jsonrpsee's generated parsing, and bounded before anything is decoded:
//! - more parameters than a method takes, or a name it does not have, is refused (not ignored);
//! - a missing required parameter, and a value of the wrong kind, is refused with an error that
//!   names the method and the parameter and says what was expected;
//! - an array or object is read element by element and refused as soon as it holds one entry too
//!   many, without decoding the rest (the server has scanned the request once already, within
//!   `--rpc-max-request-size`);
//! - errors quote at most a short prefix of the input.
//!
//! Every refusal is [`Error::InvalidParams`] (JSON-RPC code -32602).

use std::{cell::Cell, fmt};

use repute_rpc_api::{
	error::{quoted, Error},
	peer,
};
use serde::{
	de::{self, DeserializeOwned, MapAccess, SeqAccess, Visitor},
	Deserializer,
};
use serde_json::value::RawValue;
use sp_core::crypto::AccountId32;

/// The runtime's account of an account a client named.
fn runtime_account(account: repute_rpc_api::AccountId32) -> AccountId32 {
	AccountId32::new(account.to_bytes())
}

/// What a peer parameter must be, as errors say it.
const A_PEER: &str = "a peer name (an SS58 address or a libp2p PeerId)";

/// A method's parameters: their names in order; the first `required` of them must be given.
#[derive(Debug)]
pub struct Signature {
	/// The JSON-RPC method name.
	pub method: &'static str,
	/// The parameters' names, in positional order.
	pub names: &'static [&'static str],
	/// How many leading parameters are required (the rest may be omitted or `null`).
	pub required: usize,
}

/// The parameters of one call, matched to a [`Signature`] but not yet decoded.
#[derive(Debug)]
pub struct Arguments<'a> {
	signature: &'static Signature,
	values: Vec<Option<&'a RawValue>>,
}

/// Why reading a list or object stopped early (kept beside serde's own error, which only
/// carries text).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refusal {
	TooMany,
	UnknownName(String),
	Duplicate(&'static str),
}

impl Signature {
	/// The parameter names as a method's error message lists them.
	fn listed(&self) -> String {
		if self.names.is_empty() {
			"none".to_string()
		} else {
			self.names.join(", ")
		}
	}

	fn refuse(&self, message: impl fmt::Display) -> Error {
		Error::InvalidParams(format!("{}: {message}", self.method))
	}

	/// `error`, its message prefixed with this method's name if it is about the parameters.
	pub fn within(&self, error: Error) -> Error {
		match error {
			Error::InvalidParams(message) => self.refuse(message),
			other => other,
		}
	}

	/// Matches `params` (the raw JSON of the request's `params`, if any) to this signature.
	pub fn parse<'a>(&'static self, params: Option<&'a str>) -> Result<Arguments<'a>, Error> {
		let mut values = vec![None; self.names.len()];
		let text = params.map(str::trim).unwrap_or_default();
		let refusal = Cell::new(None);
		if text.starts_with('[') {
			let visitor = Positional { max: self.names.len(), refusal: &refusal };
			let list = serde_json::Deserializer::from_str(text).deserialize_seq(visitor);
			match (list, refusal.take()) {
				(Ok(list), _) => {
					for (slot, value) in values.iter_mut().zip(list) {
						*slot = Some(value);
					}
				}
				(Err(_), Some(Refusal::TooMany)) => {
					return Err(self.refuse(format_args!(
						"more than {} parameters given; it takes {} ({})",
						self.names.len(),
						self.names.len(),
						self.listed()
					)))
				}
				(Err(error), _) => return Err(self.refuse(format_args!("params: {error}"))),
			}
		} else if text.starts_with('{') {
			let visitor = Named { names: self.names, refusal: &refusal };
			let named = serde_json::Deserializer::from_str(text).deserialize_map(visitor);
			match (named, refusal.take()) {
				(Ok(named), _) => {
					for (index, value) in named {
						values[index] = Some(value);
					}
				}
				(Err(_), Some(Refusal::UnknownName(name))) => {
					return Err(self.refuse(format_args!(
						"it has no parameter `{}`; its parameters are {}",
						quoted(&name),
						self.listed()
					)))
				}
				(Err(_), Some(Refusal::Duplicate(name))) => {
					return Err(self.refuse(format_args!("parameter `{name}` is given twice")))
				}
				(Err(error), _) => return Err(self.refuse(format_args!("params: {error}"))),
			}
		} else if !text.is_empty() {
			return Err(self.refuse(format_args!(
				"params must be an array or an object, not {}",
				kind_of(text)
			)));
		}
		// `null` is an omitted parameter.
		for value in values.iter_mut() {
			if value.is_some_and(|v| v.get() == "null") {
				*value = None;
			}
		}
		if let Some(missing) = values[..self.required].iter().position(Option::is_none) {
			return Err(self.refuse(format_args!(
				"parameter `{}` is required (its parameters are {})",
				self.names[missing],
				self.listed()
			)));
		}
		Ok(Arguments { signature: self, values })
	}
}

impl<'a> Arguments<'a> {
	/// `error`, prefixed with the method's name if it is about the parameters
	/// ([`Signature::within`]): for checks made after the parameters are read.
	pub fn within(&self, error: Error) -> Error {
		self.signature.within(error)
	}

	fn name(&self, index: usize) -> &'static str {
		self.signature.names[index]
	}

	fn refuse_value(&self, index: usize, expected: &str, raw: &RawValue) -> Error {
		self.signature.refuse(format_args!(
			"parameter `{}` must be {expected}, not {}",
			self.name(index),
			describe(raw.get())
		))
	}

	/// The parameter at `index`, which must be `expected` (the words an error uses), or `None`
	/// if it was omitted (only optional parameters may be: [`Signature::parse`] checked).
	pub fn optional<T: DeserializeOwned>(
		&self,
		index: usize,
		expected: &str,
	) -> Result<Option<T>, Error> {
		self.values[index]
			.map(|raw| {
				serde_json::from_str(raw.get()).map_err(|_| self.refuse_value(index, expected, raw))
			})
			.transpose()
	}

	/// The required parameter at `index`.
	pub fn required<T: DeserializeOwned>(&self, index: usize, expected: &str) -> Result<T, Error> {
		debug_assert!(index < self.signature.required, "only leading parameters are required");
		self.optional(index, expected)?.ok_or_else(|| {
			self.signature.refuse(format_args!("parameter `{}` is required", self.name(index)))
		})
	}

	/// The required peer at `index`.
	pub fn peer(&self, index: usize) -> Result<AccountId32, Error> {
		let name: String = self.required(index, A_PEER)?;
		peer::parse_named(&name, self.name(index))
			.map(runtime_account)
			.map_err(|e| self.signature.within(e))
	}

	/// The optional peer at `index`.
	pub fn optional_peer(&self, index: usize) -> Result<Option<AccountId32>, Error> {
		let name: Option<String> = self.optional(index, A_PEER)?;
		peer::parse_optional(name.as_deref(), self.name(index))
			.map(|peer| peer.map(runtime_account))
			.map_err(|e| self.signature.within(e))
	}

	/// The required list of at most `max` peers at `index`.
	pub fn peers(&self, index: usize, max: usize) -> Result<Vec<AccountId32>, Error> {
		let names = self.strings(index, max)?;
		peer::parse_peers(&names, max, self.name(index))
			.map(|peers| peers.into_iter().map(runtime_account).collect())
			.map_err(|e| self.signature.within(e))
	}

	/// The required list of strings at `index`, of at most `max` entries: refused at the entry
	/// past `max`, before the rest is read.
	pub fn strings(&self, index: usize, max: usize) -> Result<Vec<String>, Error> {
		let expected = "a list of strings";
		let raw = self.values[index].ok_or_else(|| {
			self.signature.refuse(format_args!("parameter `{}` is required", self.name(index)))
		})?;
		let refusal = Cell::new(None);
		let visitor = Positional { max, refusal: &refusal };
		let list = serde_json::Deserializer::from_str(raw.get()).deserialize_seq(visitor).map_err(
			|_| match refusal.take() {
				Some(Refusal::TooMany) => self.signature.refuse(format_args!(
					"parameter `{}` lists more than {max} entries; at most {max} are allowed per call",
					self.name(index)
				)),
				_ => self.refuse_value(index, expected, raw),
			},
		)?;
		list.into_iter()
			.enumerate()
			.map(|(i, item)| {
				serde_json::from_str(item.get()).map_err(|_| {
					self.signature.refuse(format_args!(
						"parameter `{}[{i}]` must be a string, not {}",
						self.name(index),
						describe(item.get())
					))
				})
			})
			.collect()
	}
}

/// Reads a JSON array into at most `max` raw values.
struct Positional<'r> {
	max: usize,
	refusal: &'r Cell<Option<Refusal>>,
}

impl<'de> Visitor<'de> for Positional<'_> {
	type Value = Vec<&'de RawValue>;

	fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
		write!(f, "an array of at most {} values", self.max)
	}

	fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
		let mut values = Vec::new();
		while let Some(value) = seq.next_element::<&'de RawValue>()? {
			if values.len() == self.max {
				self.refusal.set(Some(Refusal::TooMany));
				return Err(de::Error::custom("too many values"));
			}
			values.push(value);
		}
		Ok(values)
	}
}

/// Reads a JSON object whose keys are among `names` into (index, raw value) pairs.
struct Named<'r> {
	names: &'static [&'static str],
	refusal: &'r Cell<Option<Refusal>>,
}

impl<'de> Visitor<'de> for Named<'_> {
	type Value = Vec<(usize, &'de RawValue)>;

	fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
		write!(f, "an object whose keys are among {}", self.names.join(", "))
	}

	fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
		let mut values: Vec<(usize, &'de RawValue)> = Vec::new();
		while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
			let Some(index) = self.names.iter().position(|name| *name == key) else {
				self.refusal.set(Some(Refusal::UnknownName(quoted(&key))));
				return Err(de::Error::custom("unknown parameter"));
			};
			if values.iter().any(|(i, _)| *i == index) {
				self.refusal.set(Some(Refusal::Duplicate(self.names[index])));
				return Err(de::Error::custom("duplicate parameter"));
			}
			values.push((index, map.next_value::<&'de RawValue>()?));
		}
		Ok(values)
	}
}

/// The kind of JSON value `raw` is (it is valid JSON: the server parsed it).
fn kind_of(raw: &str) -> &'static str {
	match raw.trim_start().as_bytes().first() {
		Some(b'"') => "a string",
		Some(b'[') => "an array",
		Some(b'{') => "an object",
		Some(b't' | b'f') => "a boolean",
		Some(b'n') => "null",
		_ => "a number",
	}
}

/// What a refused value was, quoting a short prefix of scalars.
fn describe(raw: &str) -> String {
	match kind_of(raw) {
		kind @ ("an array" | "an object" | "null") => kind.to_string(),
		kind => format!("{kind} ({})", quoted(raw.trim())),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	static PARTNERS: Signature = Signature {
		method: "repute_partners",
		names: &["peer", "direction", "start", "limit", "at"],
		required: 2,
	};
	static NONE: Signature = Signature { method: "repute_none", names: &[], required: 0 };

	fn message(result: Result<impl fmt::Debug, Error>) -> String {
		match result {
			Err(Error::InvalidParams(message)) => message,
			other => panic!("expected InvalidParams, got {other:?}"),
		}
	}

	#[test]
	fn positional_and_named_read_the_same() {
		for params in [
			r#"["alice", "served", 5]"#,
			r#"["alice", "served", 5, null, null]"#,
			r#"{"peer": "alice", "direction": "served", "start": 5}"#,
			r#"{"start": 5, "direction": "served", "peer": "alice", "at": null}"#,
		] {
			let args = PARTNERS.parse(Some(params)).unwrap();
			assert_eq!(args.required::<String>(0, "a peer").unwrap(), "alice");
			assert_eq!(args.required::<String>(1, "a direction").unwrap(), "served");
			assert_eq!(args.optional::<u32>(2, "a number").unwrap(), Some(5));
			assert_eq!(args.optional::<u32>(3, "a number").unwrap(), None);
			assert_eq!(args.optional::<String>(4, "a hash").unwrap(), None);
		}
		assert!(NONE.parse(None).is_ok());
		assert!(NONE.parse(Some("[]")).is_ok());
		assert!(NONE.parse(Some("{}")).is_ok());
	}

	#[test]
	fn extra_parameters_are_refused() {
		let m = message(PARTNERS.parse(Some(r#"["a", "served", 0, 1, null, "extra"]"#)));
		assert_eq!(
			m,
			"repute_partners: more than 5 parameters given; it takes 5 (peer, direction, start, \
			 limit, at)"
		);
		let m = message(NONE.parse(Some("[1]")));
		assert_eq!(m, "repute_none: more than 0 parameters given; it takes 0 (none)");
		let m = message(PARTNERS.parse(Some(r#"{"peer": "a", "direction": "served", "page": 2}"#)));
		assert_eq!(
			m,
			"repute_partners: it has no parameter `page`; its parameters are peer, direction, \
			 start, limit, at"
		);
		let m = message(PARTNERS.parse(Some(r#"{"peer": "a", "peer": "b"}"#)));
		assert_eq!(m, "repute_partners: parameter `peer` is given twice");
	}

	#[test]
	fn missing_and_mistyped_parameters_are_named() {
		let m = message(PARTNERS.parse(Some(r#"["alice"]"#)));
		assert_eq!(
			m,
			"repute_partners: parameter `direction` is required (its parameters are peer, \
			 direction, start, limit, at)"
		);
		let m = message(PARTNERS.parse(Some(r#"[null, "served"]"#)));
		assert!(m.contains("parameter `peer` is required"), "{m}");
		let m = message(PARTNERS.parse(Some("7")));
		assert_eq!(m, "repute_partners: params must be an array or an object, not a number");

		let args = PARTNERS.parse(Some(r#"[5, "served", "ten", [1], {"a": 1}]"#)).unwrap();
		let m = message(args.required::<String>(0, "a peer name (an SS58 address or PeerId)"));
		assert_eq!(
			m,
			"repute_partners: parameter `peer` must be a peer name (an SS58 address or PeerId), \
			 not a number (5)"
		);
		let m = message(args.optional::<u32>(2, "a whole number from 0 to 4294967295"));
		assert!(m.ends_with("parameter `start` must be a whole number from 0 to 4294967295, not a string (\"ten\")"), "{m}");
		assert!(message(args.optional::<u32>(3, "a number")).ends_with("not an array"));
		assert!(message(args.optional::<u32>(4, "a hash")).ends_with("not an object"));
	}

	#[test]
	fn errors_quote_a_short_prefix() {
		let long = "x".repeat(100_000);
		let params = format!(r#"["a", "served", "{long}"]"#);
		let args = PARTNERS.parse(Some(&params)).unwrap();
		let m = message(args.optional::<u32>(2, "a number"));
		assert!(m.len() < 120, "{m}");
		let m = message(PARTNERS.parse(Some(&format!(r#"{{"{long}": 1}}"#))));
		assert!(m.len() < 200, "{m}");
	}

	#[test]
	fn lists_are_refused_at_the_entry_past_the_bound() {
		static PEERS: Signature = Signature { method: "m", names: &["peers"], required: 1 };
		let args = PEERS.parse(Some(r#"[["a", "b", "c"]]"#)).unwrap();
		assert_eq!(args.strings(0, 3).unwrap(), ["a", "b", "c"]);
		assert_eq!(
			message(args.strings(0, 2)),
			"m: parameter `peers` lists more than 2 entries; at most 2 are allowed per call"
		);
		let args = PEERS.parse(Some(r#"[["a", 1]]"#)).unwrap();
		assert_eq!(
			message(args.strings(0, 5)),
			"m: parameter `peers[1]` must be a string, not a number (1)"
		);
		let args = PEERS.parse(Some(r#"["a"]"#)).unwrap();
		assert_eq!(
			message(args.strings(0, 5)),
			"m: parameter `peers` must be a list of strings, not a string (\"a\")"
		);
		// Only the entries up to the bound are read, however long the list: a list far longer
		// than any request is refused as fast as a short one.
		let huge = format!(r#"[[{}"x"]]"#, r#""a","#.repeat(1_000_000));
		let args = PEERS.parse(Some(&huge)).unwrap();
		assert!(message(args.strings(0, 1024)).contains("more than 1024 entries"));
	}

	/// Any JSON value.
	fn json() -> impl Strategy<Value = serde_json::Value> {
		let leaf = prop_oneof![
			Just(serde_json::Value::Null),
			any::<bool>().prop_map(serde_json::Value::from),
			any::<i64>().prop_map(serde_json::Value::from),
			any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
			".{0,80}".prop_map(serde_json::Value::from),
			prop_oneof![Just("served"), Just("servedBy"), Just("peer"), Just("at")]
				.prop_map(serde_json::Value::from),
		];
		leaf.prop_recursive(3, 64, 8, |inner| {
			prop_oneof![
				prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
				prop::collection::btree_map(
					prop_oneof![
						Just("peer".to_string()),
						Just("direction".to_string()),
						Just("start".to_string()),
						".{0,12}".prop_map(|s: String| s)
					],
					inner,
					0..6
				)
				.prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
			]
		})
	}

	proptest! {
		/// Whatever the params, parsing and then reading every parameter answers: either values
		/// or `InvalidParams` that names the method and quotes at most a short prefix; never a
		/// panic.
		#[test]
		fn any_params_are_read_or_refused_by_name(params in json()) {
			let text = params.to_string();
			let read = PARTNERS.parse(Some(&text)).and_then(|args| {
				args.required::<String>(0, "a peer")?;
				args.required::<String>(1, "a direction")?;
				args.optional::<u32>(2, "a number")?;
				args.optional::<u32>(3, "a number")?;
				args.optional::<String>(4, "a hash")?;
				Ok(())
			});
			if let Err(error) = read {
				let Error::InvalidParams(message) = error else {
					panic!("only InvalidParams: {error:?}")
				};
				prop_assert!(message.starts_with("repute_partners: "), "{}", message);
				prop_assert!(message.chars().count() < 200, "{}", message);
			}
			// A well-formed call is never refused, whichever form it takes.
			let named = serde_json::json!({"direction": "served", "peer": text});
			let named = named.to_string();
			let args = PARTNERS.parse(Some(&named)).unwrap();
			prop_assert_eq!(args.required::<String>(0, "a peer").unwrap(), text.clone());
			let positional = serde_json::json!([text, "servedBy", null, 3]);
			let positional = positional.to_string();
			let args = PARTNERS.parse(Some(&positional)).unwrap();
			prop_assert_eq!(args.optional::<u32>(3, "a number").unwrap(), Some(3));
		}
	}
}
