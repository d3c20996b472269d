//! How RPC callers name peers: an SS58 address, or a libp2p `PeerId` of an ed25519 key (whose
//! account is the key itself).

use crate::account::AccountId32;
use crate::error::Error;

/// The longest peer name accepted, in bytes once trimmed: an ed25519 `PeerId` is 52 characters
/// and an SS58 address of a 32-byte account at most 50. Longer input is refused before it is
/// decoded (base58 decoding takes time quadratic in the length).
pub const MAX_PEER_NAME_LEN: usize = 64;

/// The account `input` names: an SS58 address of any network prefix, or an ed25519 libp2p
/// `PeerId` (base58, `12D3KooW...`).
pub fn parse_peer(input: &str) -> Result<AccountId32, Error> {
	let input = input.trim();
	if input.len() > MAX_PEER_NAME_LEN {
		return Err(Error::InvalidParams(format!(
			"`{}` is {} bytes long; a peer is named in at most {MAX_PEER_NAME_LEN}",
			quoted(input),
			input.len()
		)));
	}
	if let Ok(key) = repute_primitives::peer_id::ed25519_key_from_peer_id(input) {
		return Ok(AccountId32::from(key));
	}
	AccountId32::from_ss58check(input).map_err(|_| {
		Error::InvalidParams(format!(
			"`{}` is neither an SS58 address nor a libp2p PeerId of an ed25519 key",
			quoted(input)
		))
	})
}

/// `input` as an error quotes it: whole if it could be a peer name, else its first characters
/// ([`crate::error::quoted`]).
fn quoted(input: &str) -> String {
	if input.len() > MAX_PEER_NAME_LEN {
		crate::error::quoted(input)
	} else {
		input.to_string()
	}
}

/// [`parse_peer`] for the parameter called `what`, whose name prefixes the error message.
pub fn parse_named(input: &str, what: &str) -> Result<AccountId32, Error> {
	parse_peer(input).map_err(|e| match e {
		Error::InvalidParams(message) => Error::InvalidParams(format!("{what}: {message}")),
		other => other,
	})
}

/// An optional peer parameter called `what`.
pub fn parse_optional(input: Option<&str>, what: &str) -> Result<Option<AccountId32>, Error> {
	input.map(|input| parse_named(input, what)).transpose()
}

/// Parses a list of peers, refusing one longer than `max`.
pub fn parse_peers(inputs: &[String], max: usize, what: &str) -> Result<Vec<AccountId32>, Error> {
	if inputs.len() > max {
		return Err(Error::InvalidParams(format!(
			"{what} lists {} peers; at most {max} are allowed per call",
			inputs.len()
		)));
	}
	inputs
		.iter()
		.enumerate()
		.map(|(i, input)| parse_named(input, &format!("{what}[{i}]")))
		.collect()
}

/// The SS58 address (generic prefix 42) of `account` (this crate's [`AccountId32`] or the
/// runtime's), as answers name peers.
pub fn address_of(account: &impl AsRef<[u8; 32]>) -> String {
	AccountId32::new(*account.as_ref()).to_ss58check()
}

#[cfg(test)]
mod tests {
	use super::*;

	/// Alice's sr25519 account.
	const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

	#[test]
	fn both_forms_name_the_same_kind_of_account() {
		let alice = parse_peer(ALICE).unwrap();
		assert_eq!(address_of(&alice), ALICE);
		// The PeerId of the ed25519 key 0x..01 (a node key) is that key's account.
		let peer = parse_peer("12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp").unwrap();
		let key = repute_primitives::peer_id::ed25519_key_from_peer_id(
			"12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp",
		)
		.unwrap();
		assert_eq!(peer, AccountId32::from(key));
		assert_eq!(parse_peer(&format!("  {ALICE} ")).unwrap(), alice);
	}

	#[test]
	fn anything_else_is_refused_with_the_reason() {
		for bad in ["", "alice", "0x1234", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ"] {
			let Err(Error::InvalidParams(message)) = parse_peer(bad) else {
				panic!("{bad} was accepted")
			};
			assert!(message.contains("neither an SS58 address nor a libp2p PeerId"), "{message}");
		}
	}

	#[test]
	fn an_overlong_name_is_refused_before_decoding_and_quoted_short() {
		// A megabyte of base58 would take minutes to decode.
		let huge = "1".repeat(1 << 20);
		let Err(Error::InvalidParams(message)) = parse_peer(&huge) else { panic!("accepted") };
		assert!(message.len() < 120, "{message}");
		assert!(message.contains("1048576 bytes long"), "{message}");
		assert!(message.starts_with("`1111111111111111…`"), "{message}");
		// Multi-byte characters are cut on a character boundary.
		let wide = "é".repeat(100);
		let Err(Error::InvalidParams(message)) = parse_peer(&wide) else { panic!("accepted") };
		assert!(message.starts_with(&format!("`{}…`", "é".repeat(16))), "{message}");
		// The longest real names still parse.
		assert!(parse_peer("12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp").is_ok());
	}

	mod properties {
		use super::*;
		use proptest::prelude::*;

		/// What a refusal says: short whatever the input, and never the whole of a long input.
		fn check_refusal(input: &str, message: &str) -> Result<(), TestCaseError> {
			prop_assert!(message.len() <= 200, "a {}-byte message", message.len());
			if input.trim().len() > MAX_PEER_NAME_LEN {
				prop_assert!(!message.contains(input.trim()));
			}
			Ok(())
		}

		proptest! {
			/// Whatever a caller sends as a peer name, it gets an account or an error that says
			/// why in a few words; an accepted name is the address or PeerId of that account.
			#[test]
			fn any_input_gets_an_account_or_a_short_error(input in any::<String>()) {
				match parse_peer(&input) {
					Ok(account) => {
						prop_assert!(input.trim().len() <= MAX_PEER_NAME_LEN);
						let again = parse_peer(&address_of(&account)).unwrap();
						prop_assert_eq!(again, account);
					}
					Err(Error::InvalidParams(message)) => check_refusal(&input, &message)?,
					Err(other) => prop_assert!(false, "not a parameter error: {other:?}"),
				}
			}

			/// Long inputs of every shape, base58 included, are refused before decoding.
			#[test]
			fn long_inputs_are_refused_by_length(
				input in "[1-9A-HJ-NP-Za-km-z]{65,4096}|\\pL{65,600}",
			) {
				let Err(Error::InvalidParams(message)) = parse_peer(&input) else {
					return Err(TestCaseError::fail("a long name was accepted"));
				};
				prop_assert!(message.contains("bytes long"), "{message}");
				check_refusal(&input, &message)?;
			}

			/// A real address with one character changed is refused (its checksum no longer
			/// matches) or names another valid account, never a panic.
			#[test]
			fn near_misses_of_a_real_address(position in 0..ALICE.len(), replacement in "[1-9A-HJ-NP-Za-km-z]") {
				let mut near = ALICE.to_string();
				near.replace_range(position..position + 1, &replacement);
				match parse_peer(&near) {
					Ok(account) => prop_assert_eq!(near == ALICE, account == parse_peer(ALICE).unwrap()),
					Err(Error::InvalidParams(message)) => check_refusal(&near, &message)?,
					Err(other) => prop_assert!(false, "not a parameter error: {other:?}"),
				}
			}
		}
	}

	#[test]
	fn lists_are_bounded_and_name_the_bad_entry() {
		let ok = vec![ALICE.to_string(); 3];
		assert_eq!(parse_peers(&ok, 3, "peers").unwrap().len(), 3);
		assert!(matches!(
			parse_peers(&ok, 2, "peers"),
			Err(Error::InvalidParams(m)) if m.contains("at most 2")
		));
		let bad = vec![ALICE.to_string(), "nope".to_string()];
		assert!(matches!(
			parse_peers(&bad, 5, "peers"),
			Err(Error::InvalidParams(m)) if m.starts_with("peers[1]:")
		));
	}
}
