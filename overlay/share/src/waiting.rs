//! Who may wait for an upload slot when the provider's waiting room is full.
//!
//! A provider holds requests that lack only an upload slot, first come, first served, in a room
//! of as many places as its capacity serves while they may wait
//! ([`crate::peer::PeerConfig::longest_wait`]). First come, first served alone lets one
//! requester that keeps many requests in flight (a flooder, or a greedy downloader) take every
//! place and keep everyone else out for as long as it keeps asking. So when the room is full, a
//! requester holding fewer places than another by at least two takes the newest place of the
//! requester holding the most, which is refused as busy instead ([`place_for`]).
//!
//! **The guarantee:** a requester that holds a place keeps one until it is served or its wait
//! runs out (only a requester with two places or more ever gives one up), and one that asks
//! while another holds two places or more gets a place. So with at most as many requesters as
//! places, every one that asks waits, however many requests the others keep in flight.

use libp2p::PeerId;
use std::collections::HashMap;

/// Where `requester` may wait in a full room whose places are held by `holders` (oldest first):
/// the index of the place it takes, the newest place of the requester holding the most, if that
/// one holds at least two places more than `requester`; `None` (it is refused as busy) if no one
/// does. Among requesters holding equally many, the one whose newest place is newest gives it
/// up. Linear in the room's size.
pub fn place_for(holders: impl IntoIterator<Item = PeerId>, requester: &PeerId) -> Option<usize> {
	// For each holder: how many places, and the index of its newest.
	let mut places: HashMap<PeerId, (usize, usize)> = HashMap::new();
	for (index, holder) in holders.into_iter().enumerate() {
		let entry = places.entry(holder).or_insert((0, index));
		*entry = (entry.0 + 1, index);
	}
	let held_by_requester = places.get(requester).map_or(0, |(count, _)| *count);
	let (most, newest) = places.values().copied().max()?;
	(most >= held_by_requester + 2).then_some(newest)
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	#[test]
	fn a_full_room_makes_way_for_a_requester_holding_two_fewer() {
		let (flooder, other, newcomer) = (PeerId::random(), PeerId::random(), PeerId::random());
		// The flooder holds three places; the newcomer holds none: it takes the flooder's newest.
		let room = [flooder, other, flooder, flooder];
		assert_eq!(place_for(room, &newcomer), Some(3));
		// One place more than the requester is not enough to give one up.
		assert_eq!(place_for([flooder, other], &newcomer), None);
		assert_eq!(place_for([flooder, flooder, other], &other), None);
		// The flooder asking again is refused: no one holds two more than it does.
		assert_eq!(place_for(room, &flooder), None);
		// An empty room has no place to give (a room of no places refuses everyone).
		assert_eq!(place_for([], &newcomer), None);
	}

	proptest! {
		/// The adversary's best strategy against a full room: one requester asks far more often
		/// than everyone else (nine asks in ten) with fewer requesters than places. Every other
		/// requester that asked holds a place at the end, the room never grows, and a place once
		/// held is only given up by a requester holding two or more.
		#[test]
		fn a_flooder_cannot_keep_anyone_out_of_the_waiting_room(
			room_size in 1usize..24,
			others in 0usize..23,
			asks in proptest::collection::vec((0u8..10, any::<prop::sample::Index>()), 1..200),
		) {
			let others = others.min(room_size.saturating_sub(1));
			let flooder = PeerId::random();
			let honest: Vec<PeerId> = (0..others).map(|_| PeerId::random()).collect();
			let mut room: Vec<PeerId> = Vec::new();
			let mut asked = Vec::new();
			for (roll, pick) in asks {
				let requester = if roll < 9 || honest.is_empty() {
					flooder
				} else {
					*pick.get(&honest)
				};
				if requester != flooder {
					asked.push(requester);
				}
				if room.len() < room_size {
					room.push(requester);
					continue;
				}
				let before = room.clone();
				if let Some(index) = place_for(room.iter().copied(), &requester) {
					let gives_up = room.remove(index);
					let held = before.iter().filter(|holder| **holder == gives_up).count();
					prop_assert!(held >= 2, "a requester with one place gave it up");
					room.push(requester);
				}
				prop_assert!(room.len() <= room_size);
			}
			for requester in asked {
				prop_assert!(room.contains(&requester), "a requester that asked was kept out");
			}
		}
	}
}
