//! The conversation engine: `Engine::handle(Incoming) -> Vec<Reply>`, the
//! same for every front.

mod clock;
mod state;
mod turn;
mod types;

pub use clock::{Clock, ManualClock, SystemClock};
pub use state::{ChatState, ChatStore, ChatStoreError, MemoryChats, STATE_VERSION};
pub use turn::{Engine, EngineSettings};
pub use types::{Button, ChatId, Incoming, Input, Keyboard, Reply};
