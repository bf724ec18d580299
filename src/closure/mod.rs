//! The pure closure state machine.
