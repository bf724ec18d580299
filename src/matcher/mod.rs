//! Message matching against the content.
