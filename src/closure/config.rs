//! The machine's one setting: how long a confirmation stays valid.

/// Settings of the closure machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Seconds a confirmation prompt stays valid after it is shown.
    pub confirm_timeout_secs: i64,
}

impl Config {
    /// The default time to confirm: ten minutes.
    pub const DEFAULT_CONFIRM_TIMEOUT_SECS: i64 = 600;

    /// The confirmation timeout in whole minutes, rounded up, for messages.
    pub fn timeout_minutes(&self) -> u32 {
        minutes_rounded_up(self.confirm_timeout_secs)
    }
}

/// `secs` in whole minutes, rounded up; zero for no time left.
pub(super) fn minutes_rounded_up(secs: i64) -> u32 {
    u32::try_from((secs.max(0) + 59) / 60).unwrap_or(u32::MAX)
}

impl Default for Config {
    fn default() -> Config {
        Config {
            confirm_timeout_secs: Config::DEFAULT_CONFIRM_TIMEOUT_SECS,
        }
    }
}
