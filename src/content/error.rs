//! What can be wrong with content, each problem on one line naming the file,
//! the entry and the field.

use std::fmt;

/// One thing wrong with the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, as `content/faq.yaml`.
    pub file: String,
    /// The entry's id (or text key), when the problem is inside one.
    pub entry: Option<String>,
    /// The field, as `zh.answer`.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(entry) = &self.entry {
            write!(f, ": entry `{entry}`")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The content could not be loaded: every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ContentError {
    /// At least one problem.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Collects problems while content is checked.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<Problem>,
}

impl Problems {
    /// Records a problem.
    pub fn add(
        &mut self,
        file: &str,
        entry: Option<&str>,
        field: Option<&str>,
        message: impl Into<String>,
    ) {
        self.list.push(Problem {
            file: file.to_string(),
            entry: entry.map(str::to_string),
            field: field.map(str::to_string),
            message: message.into(),
        });
    }

    /// `Ok(value)` when nothing was recorded.
    pub fn finish<T>(self, value: T) -> Result<T, ContentError> {
        if self.list.is_empty() {
            Ok(value)
        } else {
            Err(ContentError {
                problems: self.list,
            })
        }
    }
}
