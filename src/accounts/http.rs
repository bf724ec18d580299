//! [`HttpAccountService`]: the client for an operator's own account system.
//! Wrap it in [`super::Audited`] (as [`super::open`] does) so its actions
//! reach the audit log.
//!
//! ## Account service contract
//!
//! Set `JIEBEI_ACCOUNTS_URL` to the base URL of your account system (for
//! example `https://accounts.internal/jiebei`) and the bot uses it instead
//! of its built-in ledger. It makes three kinds of JSON-over-HTTP calls and
//! gives up on any call after a timeout (10 seconds unless configured).
//! `{phone}` is the account's phone number in E.164 form, `+` included:
//! `+8613800000001`. Amounts are yuan as decimal strings with two decimals,
//! never JSON numbers: `"1200.50"`.
//!
//! ### Look an account up
//!
//! `GET {base}/accounts/{phone}`
//!
//! | Status | Body | Meaning |
//! |---|---|---|
//! | `200` | `{"phone": "+8613800000001", "state": "active", "outstanding": "1200.50", "overdue": false}` | `state` is `active`, `borrowing_off` or `cancelled` |
//! | `404` | any | no account has this phone |
//!
//! ### Turn borrowing off, cancel the account
//!
//! `POST {base}/accounts/{phone}/turn-off` and
//! `POST {base}/accounts/{phone}/cancel`, with the headers
//! `Content-Type: application/json` and `Idempotency-Key: <key>` (1 to 128
//! characters among `A-Z a-z 0-9 - _ . :`) and the body
//! `{"chat": 123456789}` (the Telegram chat that asked, for your records).
//!
//! The service must act at most once per key: a request whose key already
//! acted answers `409 {"result": "already_done"}` and changes nothing. The
//! bot sends the same key again when it retries after a timeout or a 5xx
//! answer. The service must also refuse while any amount is outstanding,
//! whatever the bot checked before.
//!
//! | Status | Body | The bot reads it as |
//! |---|---|---|
//! | `200` | `{"result": "done"}` | done now |
//! | `409` | `{"result": "already_done"}` | already done: this key acted before, or the account is already in that state |
//! | `409` | `{"error": "outstanding_balance", "outstanding": "1200.50"}` | refused; the customer is told the amount |
//! | `404` | any | no such account |
//! | `422` | `{"error": "invalid_state", "state": "cancelled"}` | refused: the account's state does not allow it |
//! | `5xx` | any | unavailable: nothing is recorded as done; the customer may try again |
//! | none in time | | timeout: as for `5xx`; a retry with the same key tells whether it acted |
//! | anything else | | a contract violation, logged; nothing is recorded as done |
//!
//! Every action the bot asks for is recorded in its own audit log
//! (`jiebei-bot audit`): an `attempt` row before the request and the
//! result after it.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::{StatusCode, Url};
use serde::Deserialize;

use super::service::{AccountError, AccountService, ActionOutcome};
use super::types::{
    AccountRef, AccountState, AccountStatus, Closure, IdempotencyKey, Money, Phone,
};

/// The environment variable holding the account system's base URL.
pub const ACCOUNTS_URL_ENV: &str = "JIEBEI_ACCOUNTS_URL";

/// How long a call to the account system may take when not configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A base URL the HTTP account service cannot use.
#[derive(Debug, thiserror::Error)]
#[error("account service URL `{url}` is not usable: {reason}")]
pub struct BadServiceUrl {
    /// The URL as given.
    pub url: String,
    /// Why it is refused.
    pub reason: String,
}

/// An operator's account system reached over HTTP (see the contract in
/// this module's documentation).
#[derive(Debug, Clone)]
pub struct HttpAccountService {
    base: Url,
    client: reqwest::Client,
}

/// The JSON bodies of the contract, every field optional so that a wrong
/// body becomes a clear protocol error rather than a decode failure.
#[derive(Debug, Default, Deserialize)]
struct Body {
    state: Option<AccountState>,
    outstanding: Option<Money>,
    overdue: Option<bool>,
    result: Option<String>,
    error: Option<String>,
}

impl HttpAccountService {
    /// A client for the account system at `base_url` (`http` or `https`),
    /// giving up on any call after `timeout`.
    pub fn new(base_url: &str, timeout: Duration) -> Result<HttpAccountService, BadServiceUrl> {
        let bad = |reason: &str| BadServiceUrl {
            url: base_url.to_string(),
            reason: reason.to_string(),
        };
        let base = Url::parse(base_url).map_err(|e| bad(&e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(bad("expected an http:// or https:// URL"));
        }
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("jiebei-bot/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| bad(&e.to_string()))?;
        Ok(HttpAccountService { base, client })
    }

    /// `{base}/accounts/{phone}` followed by `tail`.
    fn url(&self, phone: &Phone, tail: Option<&str>) -> Url {
        let mut url = self.base.clone();
        {
            let mut path = url
                .path_segments_mut()
                .expect("checked in new: the base URL can be a base");
            path.pop_if_empty().push("accounts").push(phone.as_str());
            if let Some(tail) = tail {
                path.push(tail);
            }
        }
        url
    }

    async fn fetch(&self, phone: &Phone) -> Result<Option<AccountStatus>, AccountError> {
        let response = self
            .client
            .get(self.url(phone, None))
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let body = read(response, status).await?;
        match (status, body) {
            (
                StatusCode::OK,
                Body {
                    state: Some(state),
                    outstanding: Some(outstanding),
                    overdue: Some(overdue),
                    ..
                },
            ) => Ok(Some(AccountStatus {
                state,
                outstanding,
                overdue,
            })),
            (StatusCode::OK, _) => Err(AccountError::Protocol(
                "account lookup answered 200 without state, outstanding and overdue".into(),
            )),
            (status, _) => Err(unexpected(status)),
        }
    }
}

/// Reads a JSON body; a server error is reported as such whatever its body.
async fn read(response: reqwest::Response, status: StatusCode) -> Result<Body, AccountError> {
    if status.is_server_error() {
        return Err(unexpected(status));
    }
    let bytes = response.bytes().await.map_err(transport)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Body::default());
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        AccountError::Protocol(format!("answer {status} is not the expected JSON: {e}"))
    })
}

/// A status the contract does not use here.
fn unexpected(status: StatusCode) -> AccountError {
    if status.is_server_error() {
        AccountError::Unavailable(format!("the service answered {status}"))
    } else {
        AccountError::Protocol(format!("unexpected answer {status}"))
    }
}

/// A request that got no answer: timed out or never connected.
fn transport(e: reqwest::Error) -> AccountError {
    if e.is_timeout() {
        return AccountError::Timeout;
    }
    // The URL holds the customer's phone number; keep it out of messages.
    let e = e.without_url();
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    AccountError::Unavailable(message)
}

#[async_trait]
impl AccountService for HttpAccountService {
    async fn find_by_phone(&self, phone: &Phone) -> Result<Option<AccountRef>, AccountError> {
        Ok(self
            .fetch(phone)
            .await?
            .map(|_| AccountRef::new(phone.clone())))
    }

    async fn status(&self, account: &AccountRef) -> Result<AccountStatus, AccountError> {
        self.fetch(&account.phone)
            .await?
            .ok_or(AccountError::NotFound)
    }

    async fn execute(
        &self,
        action: Closure,
        account: &AccountRef,
        key: &IdempotencyKey,
        chat: i64,
    ) -> Result<ActionOutcome, AccountError> {
        let tail = match action {
            Closure::TurnOff => "turn-off",
            Closure::Cancel => "cancel",
        };
        let response = self
            .client
            .post(self.url(&account.phone, Some(tail)))
            .header("Idempotency-Key", key.as_str())
            .json(&serde_json::json!({ "chat": chat }))
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Err(AccountError::NotFound);
        }
        let body = read(response, status).await?;
        let result = body.result.as_deref();
        let error = body.error.as_deref();
        match (status, result, error) {
            (StatusCode::OK, Some("done"), _) => Ok(ActionOutcome::Done),
            (StatusCode::OK | StatusCode::CONFLICT, Some("already_done"), _) => {
                Ok(ActionOutcome::AlreadyDone)
            }
            (StatusCode::CONFLICT, _, Some("outstanding_balance")) => match body.outstanding {
                Some(owed) => Err(AccountError::OutstandingBalance(owed)),
                None => Err(AccountError::Protocol(
                    "outstanding_balance answer without `outstanding`".into(),
                )),
            },
            (StatusCode::UNPROCESSABLE_ENTITY, _, _) => match body.state {
                Some(state) => Err(AccountError::InvalidState(state)),
                None => Err(AccountError::Protocol("422 answer without `state`".into())),
            },
            (status, _, _) if status.is_success() || status == StatusCode::CONFLICT => {
                Err(AccountError::Protocol(format!(
                    "{tail} answered {status} with result {result:?} and error {error:?}"
                )))
            }
            (status, _, _) => Err(unexpected(status)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_urls_keep_the_base_path_and_the_phone() {
        let service = HttpAccountService::new("http://127.0.0.1:9/api/", DEFAULT_TIMEOUT).unwrap();
        let phone = Phone::parse("+8613800000001").unwrap();
        assert_eq!(
            service.url(&phone, Some("turn-off")).as_str(),
            "http://127.0.0.1:9/api/accounts/+8613800000001/turn-off"
        );
    }

    #[test]
    fn a_base_url_that_is_not_http_is_refused() {
        let err = HttpAccountService::new("ftp://x", DEFAULT_TIMEOUT).unwrap_err();
        assert!(err.to_string().contains("`ftp://x`"), "{err}");
        assert!(HttpAccountService::new("not a url", DEFAULT_TIMEOUT).is_err());
    }
}
