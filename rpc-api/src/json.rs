//! The JSON answers of the `repute_*` methods. Field names are camelCase and stable across
//! releases; numbers that can exceed 2^53 (units, balances, trust) are decimal strings.

use crate::hex::Bytes;
use crate::peer::address_of;
use repute_primitives::{
	parameters::{PartsPerBillion, ReceiptParameters, ReputationParameters},
	payments::{Channel, PaymentParameters},
	pricing::ServicePrice,
	reputation::{
		Admission, BondStatus, DenialReason, GlobalTrust, Partner, PartnerDirection, PeerReport,
		SubjectiveTrust,
	},
};
use serde::{Deserialize, Serialize};

/// Whether to serve a peer.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Decision {
	/// Serve it.
	Admitted,
	/// A newcomer on its stranger allowance: serve it.
	Probation,
	/// Refuse it.
	Denied,
}

/// Why a peer is denied.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
	/// Banned by governance.
	Banned,
	/// Holds no bond.
	NotRegistered,
	/// A newcomer that used up its stranger allowance.
	StrangerAllowanceExhausted,
	/// Usage far above its trust-weighted service.
	UsageExceedsService,
	/// A newcomer that used what of its stranger allowance is released so far; served again as
	/// more is released.
	StrangerAllowanceNotYetReleased,
}

/// A peer's admission.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionAnswer {
	/// The peer, as an SS58 address.
	pub peer: String,
	/// The decision.
	pub decision: Decision,
	/// Why it is denied; `null` unless `decision` is `denied`.
	pub reason: Option<Reason>,
	/// Blocks since the peer first registered, at the block answered: what its stranger
	/// allowance is released over (docs/reputation.md, "Admission"). Absent for a peer that never
	/// registered, in a peer report's admission, and from nodes or runtimes older than the field.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub registered_for: Option<u32>,
}

impl AdmissionAnswer {
	/// The answer for `peer` with decision `admission`.
	pub fn new(peer: &impl AsRef<[u8; 32]>, admission: Admission) -> Self {
		let (decision, reason) = match admission {
			Admission::Admitted => (Decision::Admitted, None),
			Admission::Probation => (Decision::Probation, None),
			Admission::Denied(reason) => (
				Decision::Denied,
				Some(match reason {
					DenialReason::Banned => Reason::Banned,
					DenialReason::NotRegistered => Reason::NotRegistered,
					DenialReason::StrangerAllowanceExhausted => Reason::StrangerAllowanceExhausted,
					DenialReason::StrangerAllowanceNotYetReleased => {
						Reason::StrangerAllowanceNotYetReleased
					}
					DenialReason::UsageExceedsService => Reason::UsageExceedsService,
				}),
			),
		};
		Self { peer: address_of(peer), decision, reason, registered_for: None }
	}

	/// This answer, saying the peer first registered `blocks` before the block answered.
	pub fn registered_for(self, blocks: Option<u32>) -> Self {
		Self { registered_for: blocks, ..self }
	}
}

/// A share of global trust.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GlobalTrustJson {
	/// Parts per 10^18 of all trust (all peers sum to 10^18), as a decimal string.
	pub parts_per_quintillion: String,
	/// The epoch it was published in.
	pub epoch: u32,
}

impl From<GlobalTrust> for GlobalTrustJson {
	fn from(trust: GlobalTrust) -> Self {
		Self { parts_per_quintillion: trust.parts_per_quintillion.to_string(), epoch: trust.epoch }
	}
}

/// Everything the chain knows about one peer.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PeerReportJson {
	/// The peer, as an SS58 address.
	pub peer: String,
	/// `active`, `unbonding`, `banned` or `notRegistered`.
	pub status: String,
	/// For `unbonding`: the first block the bond can be withdrawn; otherwise `null`.
	pub unlock_at: Option<u32>,
	/// For `banned`: the block of the ban; otherwise `null`.
	pub banned_at: Option<u32>,
	/// The bond held, in the chain's smallest unit.
	pub bond: String,
	/// Units given others, all services, all time.
	pub units_served: String,
	/// Units received from others, all services, all time.
	pub units_consumed: String,
	/// Receipts recorded with the peer on either side.
	pub receipts: String,
	/// Service reputation (credit vouched for by the peers it served), decayed to the block.
	pub service_reputation: String,
	/// The part of the service reputation that witnesses (admitted peers and founders) vouched
	/// for, decayed to the block: the peer graduates once it reaches `graduationService`.
	/// `None` at a block whose runtime predates `ReputationApi` version 3.
	#[serde(default)]
	pub witnessed_service: Option<String>,
	/// Usage reputation, decayed to the block.
	pub usage_reputation: String,
	/// The stranger allowance in force.
	pub stranger_allowance: String,
	/// How many more units it may consume before the chain denies it.
	pub admission_credit: String,
	/// Its global trust in the latest published epoch, or `null`.
	pub global_trust: Option<GlobalTrustJson>,
	/// The chain's admission decision.
	pub admission: AdmissionAnswer,
}

impl PeerReportJson {
	/// The JSON form of `report` about `peer`.
	pub fn new(peer: &impl AsRef<[u8; 32]>, report: PeerReport<u128, u32>) -> Self {
		let (status, unlock_at, banned_at) = match report.status {
			BondStatus::NotRegistered => ("notRegistered", None, None),
			BondStatus::Active => ("active", None, None),
			BondStatus::Unbonding { unlock_at } => ("unbonding", Some(unlock_at), None),
			BondStatus::Banned { at } => ("banned", None, Some(at)),
		};
		Self {
			peer: address_of(peer),
			status: status.to_string(),
			unlock_at,
			banned_at,
			bond: report.bond.to_string(),
			units_served: report.units_served.to_string(),
			units_consumed: report.units_consumed.to_string(),
			receipts: report.receipts.to_string(),
			service_reputation: report.service_reputation.to_string(),
			witnessed_service: None,
			usage_reputation: report.usage_reputation.to_string(),
			stranger_allowance: report.stranger_allowance.to_string(),
			admission_credit: report.admission_credit.to_string(),
			global_trust: report.global_trust.map(Into::into),
			admission: AdmissionAnswer::new(peer, report.admission),
		}
	}

	/// This report, with the peer's witnessed service (`None` where the runtime cannot say).
	pub fn witnessed_service(self, units: Option<u128>) -> Self {
		Self { witnessed_service: units.map(|units| units.to_string()), ..self }
	}
}

/// A peer report with a storage proof of what it was computed from.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PeerReportProof<Hash> {
	/// The block the report and proof are of.
	pub at: Hash,
	/// The report, or `null` for a peer that never registered.
	pub report: Option<PeerReportJson>,
	/// The storage keys the report reads, hex.
	pub keys: Vec<Bytes>,
	/// The trie nodes proving their values against the block's state root, hex.
	pub proof: Vec<Bytes>,
}

/// A target's reputation in a viewer's eyes.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SubjectiveTrustJson {
	/// The viewer, as an SS58 address.
	pub viewer: String,
	/// The target, as an SS58 address.
	pub target: String,
	/// Decayed units the target gave the viewer, directly or through one intermediary.
	pub flow_to_viewer: String,
	/// Decayed units the viewer gave the target, the same way.
	pub flow_from_viewer: String,
	/// The net flow squashed into (−10^9, 10^9): parts per billion, positive if the target
	/// gave more than it took.
	pub score_ppb: i64,
}

impl SubjectiveTrustJson {
	/// The JSON form of `trust` of `target` seen by `viewer`.
	pub fn new(
		viewer: &impl AsRef<[u8; 32]>,
		target: &impl AsRef<[u8; 32]>,
		trust: SubjectiveTrust,
	) -> Self {
		Self {
			viewer: address_of(viewer),
			target: address_of(target),
			flow_to_viewer: trust.flow_to_viewer.to_string(),
			flow_from_viewer: trust.flow_from_viewer.to_string(),
			score_ppb: trust.score_ppb,
		}
	}
}

/// Which side of a partnership to list.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum DirectionJson {
	/// Peers the peer served.
	Served,
	/// Peers that served the peer.
	ServedBy,
}

impl From<DirectionJson> for PartnerDirection {
	fn from(direction: DirectionJson) -> Self {
		match direction {
			DirectionJson::Served => PartnerDirection::Served,
			DirectionJson::ServedBy => PartnerDirection::ServedBy,
		}
	}
}

/// One partnership for one service.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PartnerJson {
	/// The other peer, as an SS58 address.
	pub peer: String,
	/// The service.
	pub service: u32,
	/// Cumulative units of the newest recorded receipt.
	pub cumulative_units: String,
	/// Its sequence number.
	pub sequence: String,
	/// The block that recorded it.
	pub last_update: u32,
}

impl<Account: AsRef<[u8; 32]>> From<Partner<Account, u32>> for PartnerJson {
	fn from(partner: Partner<Account, u32>) -> Self {
		Self {
			peer: address_of(&partner.peer),
			service: partner.service,
			cumulative_units: partner.cumulative_units.to_string(),
			sequence: partner.sequence.to_string(),
			last_update: partner.last_update,
		}
	}
}

/// One of the most trusted peers.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RankedPeer {
	/// 0 for the most trusted.
	pub rank: u32,
	/// The peer, as an SS58 address.
	pub peer: String,
	/// Parts per 10^18 of all trust, as a decimal string.
	pub parts_per_quintillion: String,
}

/// A page of the most trusted peers.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TopPeersJson {
	/// The epoch they were ranked in (0 also before the first epoch, with no peers).
	pub epoch: u32,
	/// The page, most trusted first.
	pub peers: Vec<RankedPeer>,
}

/// The parameters of shared history.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptParametersJson {
	/// The bond a peer holds to register, in the smallest unit.
	pub peer_bond: String,
	/// Blocks between `unregister` and the bond's release.
	pub unbonding_period: u32,
	/// How old a receipt may be when submitted, in milliseconds.
	pub max_receipt_age_ms: String,
	/// How far ahead of the chain a receipt's timestamp may be, in milliseconds.
	pub max_clock_drift_ms: String,
	/// The share of each equivocator's bond slashed, in parts per billion.
	pub equivocation_slash_ppb: u32,
	/// The reporter's share of a slash, in parts per billion.
	pub reporter_reward_ppb: u32,
}

/// The parameters of reputation and admission (see `docs/reputation.md`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReputationParametersJson {
	/// Half-life of service reputation, in blocks.
	pub service_half_life: u32,
	/// Half-life of usage reputation, in blocks.
	pub usage_half_life: u32,
	/// Blocks between epoch starts.
	pub epoch_length: u32,
	/// Damping towards pre-trusted peers, in parts per billion.
	pub damping_ppb: u32,
	/// Iteration cap per epoch.
	pub max_iterations: u32,
	/// Residual at which an epoch stops, in parts per billion.
	pub tolerance_ppb: u32,
	/// The most of a block spent on epochs, in parts per billion.
	pub epoch_block_share_ppb: u32,
	/// Usage allowed per unit of trust-weighted service, in percent.
	pub usage_allowance_percent: u32,
	/// Service needed to leave probation.
	pub graduation_service: String,
	/// Lower bound of the stranger allowance.
	pub stranger_allowance_min: String,
	/// Upper bound of the stranger allowance.
	pub stranger_allowance_max: String,
	/// Intermediaries subjective trust looks at.
	pub subjective_neighbours: u32,
	/// Net flow that scores one half.
	pub subjective_scale: String,
	/// Blocks after which the stranger policy's counts of newcomers' outcomes halve.
	pub stranger_memory: u32,
	/// Blocks over which a newcomer's stranger allowance is released from its first
	/// registration (0: at once).
	pub stranger_release: u32,
}

impl From<ReputationParameters> for ReputationParametersJson {
	fn from(p: ReputationParameters) -> Self {
		Self {
			service_half_life: p.service_half_life,
			usage_half_life: p.usage_half_life,
			epoch_length: p.epoch_length,
			damping_ppb: p.damping.0,
			max_iterations: p.max_iterations,
			tolerance_ppb: p.tolerance.0,
			epoch_block_share_ppb: p.epoch_block_share.0,
			usage_allowance_percent: p.usage_allowance_percent,
			graduation_service: p.graduation_service.to_string(),
			stranger_allowance_min: p.stranger_allowance_min.to_string(),
			stranger_allowance_max: p.stranger_allowance_max.to_string(),
			subjective_neighbours: p.subjective_neighbours,
			subjective_scale: p.subjective_scale.to_string(),
			stranger_memory: p.stranger_memory,
			stranger_release: p.stranger_release,
		}
	}
}

/// The parameters as `Reputation.set_parameters` takes them, from their JSON answer: what a
/// client reads, changes a field of and submits back through governance. Fails with the name of
/// a decimal-string field that is not a `u128`.
impl TryFrom<ReputationParametersJson> for ReputationParameters {
	type Error = String;

	fn try_from(p: ReputationParametersJson) -> Result<Self, String> {
		let units = |field: &str, value: &str| {
			value.parse::<u128>().map_err(|_| format!("{field} {value:?} is not a u128"))
		};
		Ok(Self {
			service_half_life: p.service_half_life,
			usage_half_life: p.usage_half_life,
			epoch_length: p.epoch_length,
			damping: PartsPerBillion(p.damping_ppb),
			max_iterations: p.max_iterations,
			tolerance: PartsPerBillion(p.tolerance_ppb),
			epoch_block_share: PartsPerBillion(p.epoch_block_share_ppb),
			usage_allowance_percent: p.usage_allowance_percent,
			graduation_service: units("graduationService", &p.graduation_service)?,
			stranger_allowance_min: units("strangerAllowanceMin", &p.stranger_allowance_min)?,
			stranger_allowance_max: units("strangerAllowanceMax", &p.stranger_allowance_max)?,
			subjective_neighbours: p.subjective_neighbours,
			subjective_scale: units("subjectiveScale", &p.subjective_scale)?,
			stranger_memory: p.stranger_memory,
			stranger_release: p.stranger_release,
		})
	}
}

/// The parameters of payment channels (see `docs/payments.md`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PaymentParametersJson {
	/// The least escrow a channel opens with, in the smallest unit.
	pub minimum_escrow: String,
	/// Blocks from a consumer's `close_channel` to the earliest settlement.
	pub challenge_period: u32,
	/// Blocks in a pricing period: reference prices move at every multiple of it.
	pub price_period: u32,
}

impl From<PaymentParameters<u128, u32>> for PaymentParametersJson {
	fn from(p: PaymentParameters<u128, u32>) -> Self {
		Self {
			minimum_escrow: p.minimum_escrow.to_string(),
			challenge_period: p.challenge_period,
			price_period: p.price_period,
		}
	}
}

/// A priced service's reference price (see `docs/payments.md`, "Congestion pricing"): amounts
/// in the smallest unit a unit of service, units as decimal strings.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ServicePriceJson {
	/// The service.
	pub service: u32,
	/// The reference price a unit in force this period.
	pub price: String,
	/// What each unit paid through a channel of the service burns: the price above the floor.
	pub toll: String,
	/// The least reference price.
	pub floor: String,
	/// The most reference price.
	pub ceiling: String,
	/// The units paid a period at which the price holds.
	pub target_units: String,
	/// The units paid at the reference price or more so far this period.
	pub load: String,
	/// The load of the period that ended last: what set the price in force.
	pub previous_load: String,
	/// Every toll the service's channels have burnt since it was priced.
	pub tolls: String,
}

impl From<(u32, ServicePrice<u128>)> for ServicePriceJson {
	fn from((service, priced): (u32, ServicePrice<u128>)) -> Self {
		Self {
			service,
			price: priced.price.to_string(),
			toll: priced.price.saturating_sub(priced.bounds.floor).to_string(),
			floor: priced.bounds.floor.to_string(),
			ceiling: priced.bounds.ceiling.to_string(),
			target_units: priced.bounds.target_units.to_string(),
			load: priced.load.to_string(),
			previous_load: priced.previous_load.to_string(),
			tolls: priced.tolls.to_string(),
		}
	}
}

/// Every priced service's reference price at a block, and when they move next.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PricesJson {
	/// The block the prices were read at.
	pub number: u32,
	/// The block at whose start the prices move next (the next multiple of the price period).
	pub next_update: u32,
	/// The priced services, by service id.
	pub services: Vec<ServicePriceJson>,
}

/// Every parameter set.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ParametersJson {
	/// Shared history.
	pub receipts: ReceiptParametersJson,
	/// Reputation and admission.
	pub reputation: ReputationParametersJson,
	/// Payment channels.
	pub payments: PaymentParametersJson,
}

impl From<(ReceiptParameters<u128, u32>, ReputationParameters, PaymentParameters<u128, u32>)>
	for ParametersJson
{
	fn from(
		(r, p, payments): (
			ReceiptParameters<u128, u32>,
			ReputationParameters,
			PaymentParameters<u128, u32>,
		),
	) -> Self {
		Self {
			payments: payments.into(),
			receipts: ReceiptParametersJson {
				peer_bond: r.peer_bond.to_string(),
				unbonding_period: r.unbonding_period,
				max_receipt_age_ms: r.max_receipt_age_ms.to_string(),
				max_clock_drift_ms: r.max_clock_drift_ms.to_string(),
				equivocation_slash_ppb: r.equivocation_slash.0,
				reporter_reward_ppb: r.reporter_reward.0,
			},
			reputation: p.into(),
		}
	}
}

/// A payment channel (see `docs/payments.md`): amounts in the smallest unit, units and amounts
/// as decimal strings.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ChannelJson {
	/// What one unit of the service costs.
	pub price: String,
	/// What is still held for the channel, not yet paid.
	pub escrow: String,
	/// Everything the channel has paid the provider.
	pub paid: String,
	/// The units paid for.
	pub units_paid: String,
	/// Units recorded that the escrow could not cover, paid first by the next top-up.
	pub units_unpaid: String,
	/// The block the channel opened in.
	pub opened_at: u32,
	/// Set once the consumer asked to close: receipts recorded before this block still pay,
	/// and from it anyone may settle.
	pub closes_at: Option<u32>,
}

impl From<Channel<u128, u32>> for ChannelJson {
	fn from(c: Channel<u128, u32>) -> Self {
		Self {
			price: c.price.to_string(),
			escrow: c.escrow.to_string(),
			paid: c.paid.to_string(),
			units_paid: c.units_paid.to_string(),
			units_unpaid: c.units_unpaid.to_string(),
			opened_at: c.opened_at,
			closes_at: c.closes_at,
		}
	}
}

/// What the admission subscription sends: the peers whose decision changed at a finalized
/// block (every peer in the first message).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionChanges<Hash> {
	/// The finalized block.
	pub block: Hash,
	/// Its number.
	pub number: u32,
	/// The peers whose decision changed, with their new decision.
	pub changes: Vec<AdmissionAnswer>,
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::AccountId32;

	#[test]
	fn answers_have_the_documented_field_names() {
		let peer = AccountId32::new([1; 32]);
		let denied = AdmissionAnswer::new(
			&peer,
			Admission::Denied(DenialReason::StrangerAllowanceExhausted),
		);
		let json = serde_json::to_value(&denied).unwrap();
		assert_eq!(json["decision"], "denied");
		assert_eq!(json["reason"], "strangerAllowanceExhausted");
		let admitted =
			serde_json::to_value(AdmissionAnswer::new(&peer, Admission::Admitted)).unwrap();
		assert_eq!(admitted["decision"], "admitted");
		assert!(admitted["reason"].is_null());

		let report = PeerReportJson::new(
			&peer,
			PeerReport {
				status: BondStatus::Unbonding { unlock_at: 77 },
				bond: u128::MAX,
				units_served: 1,
				units_consumed: 2,
				receipts: u64::MAX,
				service_reputation: 3,
				usage_reputation: 4,
				stranger_allowance: 5,
				admission_credit: 6,
				global_trust: Some(GlobalTrust { parts_per_quintillion: 10u128.pow(18), epoch: 3 }),
				admission: Admission::Probation,
			},
		);
		let json = serde_json::to_value(&report).unwrap();
		assert!(json["witnessedService"].is_null(), "a runtime that cannot say: null");
		let decoded: PeerReportJson = serde_json::from_value(json.clone()).unwrap();
		assert_eq!(decoded, report);
		let mut older = json.clone();
		older.as_object_mut().unwrap().remove("witnessedService");
		assert_eq!(
			serde_json::from_value::<PeerReportJson>(older).unwrap(),
			report,
			"a node that predates the field"
		);
		let report = report.witnessed_service(Some(u128::MAX));
		let json = serde_json::to_value(&report).unwrap();
		assert_eq!(json["witnessedService"], u128::MAX.to_string());
		assert_eq!(json["status"], "unbonding");
		assert_eq!(json["unlockAt"], 77);
		assert_eq!(json["bond"], u128::MAX.to_string(), "large numbers are strings");
		assert_eq!(json["receipts"], u64::MAX.to_string());
		assert_eq!(json["globalTrust"]["partsPerQuintillion"], "1000000000000000000");
		assert_eq!(json["admission"]["decision"], "probation");
		for field in ["unitsServed", "unitsConsumed", "serviceReputation", "usageReputation"] {
			assert!(json[field].is_string(), "{field}");
		}
	}

	#[test]
	fn a_service_price_answers_its_toll_and_large_numbers_as_strings() {
		use repute_primitives::pricing::PriceBounds;
		let priced = ServicePrice {
			bounds: PriceBounds { floor: 10, ceiling: u128::MAX, target_units: 1 << 30 },
			price: 25,
			load: 7,
			previous_load: 8,
			tolls: 9,
		};
		let json = serde_json::to_value(ServicePriceJson::from((3, priced))).unwrap();
		assert_eq!(json["service"], 3);
		assert_eq!(json["price"], "25");
		assert_eq!(json["toll"], "15");
		assert_eq!(json["ceiling"], u128::MAX.to_string());
		assert_eq!(json["targetUnits"], "1073741824");
		assert_eq!(json["load"], "7");
		assert_eq!(json["previousLoad"], "8");
		assert_eq!(json["tolls"], "9");
	}

	#[test]
	fn reputation_parameters_come_back_from_their_answer_unchanged() {
		let parameters = ReputationParameters {
			service_half_life: 1,
			usage_half_life: 2,
			epoch_length: 3,
			damping: PartsPerBillion(4),
			max_iterations: 5,
			tolerance: PartsPerBillion(6),
			epoch_block_share: PartsPerBillion(7),
			usage_allowance_percent: 8,
			graduation_service: u128::MAX,
			stranger_allowance_min: 10,
			stranger_allowance_max: 11,
			subjective_neighbours: 12,
			subjective_scale: 13,
			stranger_memory: 14,
			stranger_release: 15,
		};
		let json = ReputationParametersJson::from(parameters.clone());
		let through_the_wire: ReputationParametersJson =
			serde_json::from_value(serde_json::to_value(&json).unwrap()).unwrap();
		assert_eq!(ReputationParameters::try_from(through_the_wire), Ok(parameters));
		let mut bad = json;
		bad.subjective_scale = "-1".into();
		assert_eq!(
			ReputationParameters::try_from(bad),
			Err("subjectiveScale \"-1\" is not a u128".to_string())
		);
	}

	#[test]
	fn directions_parse_from_their_names_only() {
		assert_eq!(
			serde_json::from_str::<DirectionJson>("\"servedBy\"").unwrap(),
			DirectionJson::ServedBy
		);
		assert!(serde_json::from_str::<DirectionJson>("\"sideways\"").is_err());
	}
}
