//! Whether an account's status lets a closure action go ahead: the seed's
//! rules on debt and on accounts already closed.

use crate::accounts::{AccountState, AccountStatus, Closure, Money};

/// Whether an account's status lets an action go ahead.
pub(super) enum Verdict {
    Ready,
    Blocked { outstanding: Money, overdue: bool },
    AlreadyOff,
    AlreadyCancelled,
}

/// Nothing to do when it is already done; otherwise any debt blocks.
pub(super) fn judge(action: Closure, status: &AccountStatus) -> Verdict {
    match (action, status.state) {
        (_, AccountState::Cancelled) => Verdict::AlreadyCancelled,
        (Closure::TurnOff, AccountState::BorrowingOff) => Verdict::AlreadyOff,
        _ if !status.outstanding.is_zero() || status.overdue => Verdict::Blocked {
            outstanding: status.outstanding,
            overdue: status.overdue,
        },
        _ => Verdict::Ready,
    }
}

/// After a restart mid-execution: debt still blocks, but an account already
/// in the requested state is asked for again under the same key, so the
/// account service can say whether that key did it.
pub(super) fn judge_resumed(action: Closure, status: &AccountStatus) -> Verdict {
    let in_effect = matches!(
        (action, status.state),
        (Closure::TurnOff, AccountState::BorrowingOff) | (Closure::Cancel, AccountState::Cancelled)
    );
    if in_effect && status.outstanding.is_zero() && !status.overdue {
        Verdict::Ready
    } else {
        judge(action, status)
    }
}
