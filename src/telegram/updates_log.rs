//! Remembering which updates were handled, so an update Telegram delivers
//! again (it resends a batch the bot never confirmed, after a crash) is
//! handled once.
//!
//! An update is marked once it has been handled and its replies sent, not
//! when it arrives: after a crash in the middle of one, Telegram's
//! redelivery handles it again, so the customer's message is answered. The
//! price is a rare repeated reply (a crash between the last send and the
//! mark), never a lost one; what a repeat cannot do is act twice, which the
//! closure's idempotency keys rule out.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use async_trait::async_trait;

/// Where handled update ids are remembered.
#[async_trait]
pub trait UpdateLog: Send + Sync {
    /// True when `update_id` was handled already.
    async fn handled(&self, update_id: i64) -> Result<bool, String>;
    /// Records that `update_id` was handled.
    async fn mark_handled(&self, update_id: i64) -> Result<(), String>;
}

/// Handled ids, and the order they came in (the oldest is forgotten first).
type Seen = (HashSet<i64>, VecDeque<i64>);

/// The last few thousand update ids in memory: enough within one process
/// (a restart forgets them; the database log survives it).
#[derive(Debug)]
pub struct MemoryUpdateLog {
    seen: Mutex<Seen>,
    capacity: usize,
}

impl MemoryUpdateLog {
    /// Remembers up to `capacity` ids, forgetting the oldest first.
    pub fn new(capacity: usize) -> MemoryUpdateLog {
        MemoryUpdateLog {
            seen: Mutex::default(),
            capacity: capacity.max(1),
        }
    }

    fn seen(&self) -> Result<std::sync::MutexGuard<'_, Seen>, String> {
        // A std Mutex: nothing awaits while it is held.
        self.seen
            .lock()
            .map_err(|_| "update log lock poisoned".to_string())
    }
}

impl Default for MemoryUpdateLog {
    fn default() -> Self {
        MemoryUpdateLog::new(10_000)
    }
}

#[async_trait]
impl UpdateLog for MemoryUpdateLog {
    async fn handled(&self, update_id: i64) -> Result<bool, String> {
        Ok(self.seen()?.0.contains(&update_id))
    }

    async fn mark_handled(&self, update_id: i64) -> Result<(), String> {
        let mut guard = self.seen()?;
        let (set, order) = &mut *guard;
        if set.insert(update_id) {
            order.push_back(update_id);
            if order.len() > self.capacity {
                if let Some(old) = order.pop_front() {
                    set.remove(&old);
                }
            }
        }
        Ok(())
    }
}

/// The database's log: survives restarts and is shared by replicas.
#[async_trait]
impl UpdateLog for crate::store::Store {
    async fn handled(&self, update_id: i64) -> Result<bool, String> {
        self.update_handled(update_id)
            .await
            .map_err(|e| e.to_string())
    }

    async fn mark_handled(&self, update_id: i64) -> Result<(), String> {
        self.mark_update_handled(update_id)
            .await
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_update_counts_as_handled_once_marked() {
        let log = MemoryUpdateLog::new(2);
        assert!(!log.handled(1).await.unwrap());
        assert!(!log.handled(1).await.unwrap(), "looking does not mark");
        log.mark_handled(1).await.unwrap();
        assert!(log.handled(1).await.unwrap());
        log.mark_handled(2).await.unwrap();
        log.mark_handled(3).await.unwrap();
        assert!(
            !log.handled(1).await.unwrap(),
            "the oldest id was forgotten"
        );
        assert!(log.handled(3).await.unwrap());
    }
}
