//! Remembering which updates were handled, so an update Telegram delivers
//! again (it resends a batch the bot never confirmed, after a crash) is
//! handled once.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use async_trait::async_trait;

/// Where handled update ids are remembered.
#[async_trait]
pub trait UpdateLog: Send + Sync {
    /// Records `update_id`; `true` the first time it is seen, `false` after.
    async fn first_time(&self, update_id: i64) -> Result<bool, String>;
}

/// The last few thousand update ids in memory: enough within one process
/// (a restart forgets them; the database log survives it).
#[derive(Debug)]
pub struct MemoryUpdateLog {
    seen: Mutex<(HashSet<i64>, VecDeque<i64>)>,
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
}

impl Default for MemoryUpdateLog {
    fn default() -> Self {
        MemoryUpdateLog::new(10_000)
    }
}

#[async_trait]
impl UpdateLog for MemoryUpdateLog {
    async fn first_time(&self, update_id: i64) -> Result<bool, String> {
        // A std Mutex: nothing awaits while it is held.
        let mut guard = self
            .seen
            .lock()
            .map_err(|_| "update log lock poisoned".to_string())?;
        let (set, order) = &mut *guard;
        if !set.insert(update_id) {
            return Ok(false);
        }
        order.push_back(update_id);
        if order.len() > self.capacity {
            if let Some(old) = order.pop_front() {
                set.remove(&old);
            }
        }
        Ok(true)
    }
}

/// The database's log: survives restarts and is shared by replicas.
#[async_trait]
impl UpdateLog for crate::store::Store {
    async fn first_time(&self, update_id: i64) -> Result<bool, String> {
        crate::store::Store::first_time(self, update_id)
            .await
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_update_is_new_once() {
        let log = MemoryUpdateLog::new(2);
        assert!(log.first_time(1).await.unwrap());
        assert!(!log.first_time(1).await.unwrap());
        assert!(log.first_time(2).await.unwrap());
        assert!(log.first_time(3).await.unwrap());
        assert!(
            log.first_time(1).await.unwrap(),
            "the oldest id was forgotten"
        );
    }
}
