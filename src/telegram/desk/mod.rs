//! The support desk: tickets in the support group. A new ticket's card
//! (in a forum topic of its own when the group is a forum), the customer's
//! messages copied to it, agents' answers copied back, "take", `/resolve`
//! and `/tickets`.
//!
//! - `relay`: [`Desk`], where a ticket lives in the group and how a message
//!   gets there, recovering from deleted topics and cards and following a
//!   group that became a supergroup.
//! - `customer`: the engine's ticket events (opened, relay, left).
//! - `agents`: what agents write and press.
//! - `card`: the texts agents read.
//! - `calls`: the Bot API calls only the desk makes.

mod agents;
mod calls;
mod card;
mod customer;
mod relay;

pub(crate) use relay::Desk;
