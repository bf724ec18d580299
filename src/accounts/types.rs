//! Domain values of the account world: phone numbers, money, account states.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A phone number in E.164 form (`+8613800000001`), parsed once at the edge.
/// Its `Debug` and `masked` forms hide the middle digits so it can be logged.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

/// A phone number that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a phone number (expected something like +8613800000001)")]
pub struct BadPhone(pub String);

impl Phone {
    /// Parses a phone number as typed or as Telegram sends it: spaces,
    /// dashes and brackets are dropped; a leading `+` is added when missing;
    /// a bare 11-digit Chinese mobile number gets `+86`.
    pub fn parse(raw: &str) -> Result<Phone, BadPhone> {
        let trimmed = raw.trim();
        let plus = trimmed.starts_with('+');
        let mut digits = String::new();
        for c in trimmed.trim_start_matches('+').chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '(' | ')' | '.' => {}
                _ => return Err(BadPhone(raw.to_string())),
            }
        }
        if !plus && digits.len() == 11 && digits.starts_with('1') {
            digits.insert_str(0, "86");
        }
        if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(BadPhone(raw.to_string()));
        }
        Ok(Phone(format!("+{digits}")))
    }

    /// The number in E.164 form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four digits, used to name an account to its owner.
    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// The number with all but the country prefix and last four digits hidden.
    pub fn masked(&self) -> String {
        let keep_front = 3.min(self.0.len() - 4);
        let hidden = self.0.len() - 4 - keep_front;
        format!(
            "{}{}{}",
            &self.0[..keep_front],
            "*".repeat(hidden),
            self.last4()
        )
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Phone {
    type Error = BadPhone;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Phone::parse(&s)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

impl FromStr for Phone {
    type Err = BadPhone;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Phone::parse(s)
    }
}

/// An amount of yuan in integer cents; never a float.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Money {
    cents: i64,
}

/// Text that is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an amount (expected something like 1200.50)")]
pub struct BadMoney(pub String);

impl Money {
    /// Zero yuan.
    pub const ZERO: Money = Money { cents: 0 };

    /// An amount from integer cents.
    pub fn from_cents(cents: i64) -> Money {
        Money { cents }
    }

    /// The amount in cents.
    pub fn cents(self) -> i64 {
        self.cents
    }

    /// True when nothing is owed.
    pub fn is_zero(self) -> bool {
        self.cents == 0
    }

    /// Parses `1200`, `1200.5` or `1200.50` (at most two decimals, not negative).
    pub fn parse(s: &str) -> Result<Money, BadMoney> {
        let bad = || BadMoney(s.to_string());
        let t = s.trim();
        let (whole, frac) = match t.split_once('.') {
            Some((w, f)) => (w, f),
            None => (t, ""),
        };
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 2
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (t.contains('.') && frac.is_empty())
        {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac_cents: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
            _ => frac.parse().map_err(|_| bad())?,
        };
        whole
            .checked_mul(100)
            .and_then(|c| c.checked_add(frac_cents))
            .map(Money::from_cents)
            .ok_or_else(bad)
    }
}

impl fmt::Display for Money {
    /// Always two decimals: `1200.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.cents < 0 { "-" } else { "" };
        let abs = self.cents.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl FromStr for Money {
    type Err = BadMoney;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Money::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// Borrowing is possible.
    Active,
    /// Borrowing is turned off; the account still exists.
    BorrowingOff,
    /// The account is cancelled (deregistered).
    Cancelled,
}

impl AccountState {
    /// The state as written in the CLI and JSON (`active`, `borrowing_off`, `cancelled`).
    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Active => "active",
            AccountState::BorrowingOff => "borrowing_off",
            AccountState::Cancelled => "cancelled",
        }
    }
}

impl FromStr for AccountState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "active" => Ok(AccountState::Active),
            "borrowing_off" | "borrowing-off" | "off" => Ok(AccountState::BorrowingOff),
            "cancelled" | "canceled" => Ok(AccountState::Cancelled),
            other => Err(format!(
                "`{other}` is not an account state (active, borrowing_off, cancelled)"
            )),
        }
    }
}

/// What the account system says about an account right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountStatus {
    /// The account's state.
    pub state: AccountState,
    /// Principal and interest still owed.
    pub outstanding: Money,
    /// True when a repayment is past due.
    pub overdue: bool,
}

/// One of the two closure actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Closure {
    /// Turn off borrowing.
    TurnOff,
    /// Cancel (deregister) the account.
    Cancel,
}

impl Closure {
    /// `turn_off` or `cancel`, as in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Closure::TurnOff => "turn_off",
            Closure::Cancel => "cancel",
        }
    }
}

impl FromStr for Closure {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "turn_off" => Ok(Closure::TurnOff),
            "cancel" => Ok(Closure::Cancel),
            other => Err(format!(
                "`{other}` is not a closure action (turn_off, cancel)"
            )),
        }
    }
}

/// The key that makes a closure action happen at most once: the same key
/// never acts twice, whoever retries it. Letters, digits and `-_.:` only
/// (it travels in an HTTP header), 1 to 128 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

/// Text that cannot be an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an idempotency key (1 to 128 letters, digits or -_.:)")]
pub struct BadIdempotencyKey(pub String);

impl IdempotencyKey {
    /// A fresh random key (128 bits, hex).
    pub fn random() -> IdempotencyKey {
        IdempotencyKey(format!("{:032x}", rand::random::<u128>()))
    }

    /// Checks a key read from storage, a header or the command line.
    pub fn parse(raw: &str) -> Result<IdempotencyKey, BadIdempotencyKey> {
        let ok = (1..=128).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        if ok {
            Ok(IdempotencyKey(raw.to_string()))
        } else {
            Err(BadIdempotencyKey(raw.to_string()))
        }
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = BadIdempotencyKey;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        IdempotencyKey::parse(&s)
    }
}

impl From<IdempotencyKey> for String {
    fn from(k: IdempotencyKey) -> String {
        k.0
    }
}

impl FromStr for IdempotencyKey {
    type Err = BadIdempotencyKey;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IdempotencyKey::parse(s)
    }
}

/// An account as an account service knows it: found by phone, then used for
/// status and actions. Serializable so a chat's state can hold it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountRef {
    /// The phone number the account is registered with; it identifies the account.
    pub phone: Phone,
}

impl AccountRef {
    /// The account registered with `phone`.
    pub fn new(phone: Phone) -> AccountRef {
        AccountRef { phone }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_normalised_to_e164() {
        assert_eq!(
            Phone::parse("+86 138-0000-0001").unwrap().as_str(),
            "+8613800000001"
        );
        assert_eq!(
            Phone::parse("13800000001").unwrap().as_str(),
            "+8613800000001"
        );
        assert_eq!(
            Phone::parse("8613800000001").unwrap().as_str(),
            "+8613800000001"
        );
    }

    #[test]
    fn text_that_is_not_a_phone_number_is_refused() {
        for bad in ["", "hello", "+86", "0138000000001", "+86 138 0000 000x"] {
            assert!(Phone::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn a_masked_phone_shows_only_prefix_and_last_four_digits() {
        let p = Phone::parse("+8613800000001").unwrap();
        assert_eq!(p.masked(), "+86*******0001");
        assert_eq!(format!("{p:?}"), "Phone(+86*******0001)");
    }

    #[test]
    fn money_parses_and_prints_with_two_decimals() {
        assert_eq!(Money::parse("1200.5").unwrap().to_string(), "1200.50");
        assert_eq!(Money::parse("0").unwrap(), Money::ZERO);
        assert_eq!(Money::parse("3.07").unwrap().cents(), 307);
    }

    #[test]
    fn money_refuses_negatives_floats_with_many_decimals_and_words() {
        for bad in ["-1", "1.234", "abc", "", "1.", ".5", "1e3"] {
            assert!(Money::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn idempotency_keys_are_header_safe_and_random_ones_differ() {
        assert!(IdempotencyKey::parse("chat-42:flow-7").is_ok());
        for bad in ["", "a b", "é", "x\r\ny", &"k".repeat(129)] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?} accepted");
        }
        let (a, b) = (IdempotencyKey::random(), IdempotencyKey::random());
        assert_ne!(a, b);
        assert!(IdempotencyKey::parse(a.as_str()).is_ok());
    }
}
