//! Figures over all tickets: how many wait, how fast agents answer and
//! resolve, how customers rate the help.

use serde::Serialize;

use super::ticket::{Status, Ticket};

/// What `jiebei-bot tickets stats` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// Tickets waiting for an agent.
    pub open: usize,
    /// Tickets an agent has taken.
    pub assigned: usize,
    /// Tickets resolved.
    pub resolved: usize,
    /// Median seconds from opening to the first agent reply, over the
    /// tickets that got one.
    pub median_first_reply_secs: Option<i64>,
    /// Median seconds from opening to resolution, over resolved tickets.
    pub median_resolution_secs: Option<i64>,
    /// How many ratings gave 1, 2, 3, 4 and 5 stars (index 0 is one star).
    pub ratings: [u32; 5],
    /// The average rating, if any ticket was rated.
    pub average_rating: Option<f64>,
}

impl Stats {
    /// The figures over `tickets`.
    pub fn of(tickets: &[Ticket]) -> Stats {
        let count = |s: Status| tickets.iter().filter(|t| t.status == s).count();
        let first_replies = tickets
            .iter()
            .filter_map(|t| Some((t.first_agent_reply? - t.created).whole_seconds()))
            .collect();
        let resolutions = tickets
            .iter()
            .filter_map(|t| Some((t.resolved? - t.created).whole_seconds()))
            .collect();
        let mut ratings = [0u32; 5];
        for rating in tickets.iter().filter_map(|t| t.rating) {
            ratings[usize::from(rating.stars()) - 1] += 1;
        }
        let rated: u32 = ratings.iter().sum();
        let stars: u32 = (1..).zip(ratings).map(|(s, n)| s * n).sum();
        Stats {
            open: count(Status::Open),
            assigned: count(Status::Assigned),
            resolved: count(Status::Resolved),
            median_first_reply_secs: median(first_replies),
            median_resolution_secs: median(resolutions),
            ratings,
            average_rating: (rated > 0).then(|| f64::from(stars) / f64::from(rated)),
        }
    }
}

/// The middle value; with an even count, the mean of the two middle ones
/// rounded down.
fn median(mut values: Vec<i64>) -> Option<i64> {
    values.sort_unstable();
    let mid = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[mid]),
        _ => Some((values[mid - 1] + values[mid]).div_euclid(2)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![7]), Some(7));
        assert_eq!(median(vec![30, 10, 20]), Some(20));
        assert_eq!(median(vec![40, 10, 20, 30]), Some(25));
        assert_eq!(median(vec![1, 2]), Some(1));
    }
}
