//! Escalation to a human, as the engine, the support-group front and the
//! operator see it: tickets that are one per customer, taken by one agent,
//! resolved and rated once; transcripts that keep the last turns, masked;
//! replies that reach the right customer; figures on controlled times;
//! unanswered questions grouped for the operator; the commands' output.

use std::sync::Arc;

use clap::Parser;
use jiebei_bot::content::Content;
use jiebei_bot::engine::ManualClock;
use jiebei_bot::handoff::{
    run_tickets, run_unanswered, Assign, Handoff, Rate, Rating, Reason, Resolve, Role, Status,
    TicketId, TicketsCmd, TRANSCRIPT_TURNS,
};
use jiebei_bot::lang::Lang;
use jiebei_bot::matcher::{Matcher, Target};
use jiebei_bot::store::Store;
use serde_json::Value;
use time::macros::datetime;

const ALICE: i64 = 1001;
const BOB: i64 = 1002;
const SUPPORT: i64 = -100_555;

fn clock() -> ManualClock {
    ManualClock::new(datetime!(2026-11-25 09:00 UTC))
}

async fn handoff_at(clock: &ManualClock) -> Handoff {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    Handoff::with_clock(store, Arc::new(clock.clone()))
}

async fn handoff() -> Handoff {
    handoff_at(&clock()).await
}

fn file_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("data/jiebei.db").display())
}

fn texts(turns: &[jiebei_bot::handoff::Turn]) -> Vec<String> {
    turns.iter().map(|t| t.text.clone()).collect()
}

/// Runs a `tickets …` command line and returns what it printed.
async fn tickets(handoff: &Handoff, args: &[&str]) -> Result<String, String> {
    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        cmd: TicketsCmd,
    }
    let cli = Cli::try_parse_from(std::iter::once("tickets").chain(args.iter().copied()))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    run_tickets(handoff, cli.cmd, &mut out)
        .await
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).unwrap())
}

async fn tickets_json(handoff: &Handoff, args: &[&str]) -> Value {
    serde_json::from_str(&tickets(handoff, args).await.unwrap()).unwrap()
}

mod masking {
    use super::*;

    #[tokio::test]
    async fn phone_and_id_numbers_are_masked_in_the_transcript() {
        let h = handoff().await;
        h.record_turn(ALICE, Role::Customer, "my phone is +86 138 0013 8000")
            .await
            .unwrap();
        let (ticket, _) = h.open(ALICE, Lang::Zh, Reason::Asked).await.unwrap();
        h.record_turn(ALICE, Role::Customer, "身份证 11010119900307123X")
            .await
            .unwrap();
        let transcript = texts(&h.transcript(ticket.id).await.unwrap());
        assert_eq!(
            transcript,
            ["my phone is +86*******8000", "身份证 **************123X"]
        );
        let shown = tickets(&h, &["show", &ticket.id.to_string(), "--json"])
            .await
            .unwrap();
        assert!(
            !shown.contains("0013") && !shown.contains("19900307"),
            "{shown}"
        );
    }

    #[tokio::test]
    async fn unanswered_questions_are_stored_masked() {
        let h = handoff().await;
        h.record_unanswered(Lang::En, "why was 13912345678 refused")
            .await
            .unwrap();
        let content = Content::builtin().unwrap();
        let groups = h
            .unanswered_report(None, &Matcher::new(&content), &content)
            .await
            .unwrap();
        assert_eq!(groups[0].examples, ["why was *******5678 refused"]);
    }
}

mod tickets_per_customer {
    use super::*;

    #[tokio::test]
    async fn asking_again_adds_to_the_open_ticket_instead_of_opening_another() {
        let h = handoff().await;
        let (first, created) = h
            .open(ALICE, Lang::En, Reason::RepeatedMisses)
            .await
            .unwrap();
        assert!(created);
        let (again, created) = h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        assert!(!created);
        assert_eq!(again.id, first.id);
        assert_eq!(
            again.reason,
            Reason::RepeatedMisses,
            "the opening reason stays"
        );
        let reasons: Vec<Reason> = h
            .reasons(first.id)
            .await
            .unwrap()
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        assert_eq!(reasons, [Reason::RepeatedMisses, Reason::Asked]);
        assert_eq!(h.list(None).await.unwrap().len(), 1);
        assert_eq!(h.open_ticket_of(ALICE).await.unwrap(), Some(again));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_requests_at_once_from_one_customer_open_one_ticket() {
        let dir = tempfile::tempdir().unwrap();
        let a = Handoff::new(Store::connect(&file_url(&dir)).await.unwrap());
        let b = Handoff::new(Store::connect(&file_url(&dir)).await.unwrap());
        for chat in 0..10 {
            let (x, y) = tokio::join!(
                a.open(chat, Lang::En, Reason::Asked),
                b.open(chat, Lang::En, Reason::RepeatedMisses)
            );
            let ((x, x_new), (y, y_new)) = (x.unwrap(), y.unwrap());
            assert_eq!(x.id, y.id);
            assert!(x_new != y_new, "exactly one of them opened it");
            assert_eq!(a.reasons(x.id).await.unwrap().len(), 2);
        }
        assert_eq!(a.list(None).await.unwrap().len(), 10);
    }

    #[tokio::test]
    async fn a_customer_whose_ticket_is_resolved_can_open_a_new_one() {
        let h = handoff().await;
        let (first, _) = h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        assert!(matches!(
            h.resolve(first.id).await.unwrap(),
            Resolve::Resolved(_)
        ));
        assert_eq!(h.open_ticket_of(ALICE).await.unwrap(), None);
        let (second, created) = h
            .open(
                ALICE,
                Lang::En,
                Reason::BlockedClosure("unknown_phone".into()),
            )
            .await
            .unwrap();
        assert!(created);
        assert_ne!(second.id, first.id);
        assert_eq!(second.status, Status::Open);
    }

    #[tokio::test]
    async fn resolving_twice_says_it_was_already_resolved() {
        let h = handoff().await;
        let (t, _) = h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        let Resolve::Resolved(done) = h.resolve(t.id).await.unwrap() else {
            panic!("first resolve resolves");
        };
        assert_eq!(
            h.resolve(t.id).await.unwrap(),
            Resolve::AlreadyResolved(done)
        );
        let missing = TicketId::new(999).unwrap();
        assert_eq!(h.resolve(missing).await.unwrap(), Resolve::NotFound);
    }

    #[tokio::test]
    async fn tickets_survive_reopening_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let id = {
            let h = Handoff::new(Store::connect(&file_url(&dir)).await.unwrap());
            h.record_turn(ALICE, Role::Customer, "help").await.unwrap();
            let (t, _) = h.open(ALICE, Lang::Zh, Reason::Asked).await.unwrap();
            h.set_thread(t.id, SUPPORT, 77).await.unwrap();
            assert!(matches!(
                h.assign(t.id, "alice").await.unwrap(),
                Assign::Assigned(_)
            ));
            t.id
        };
        let h = Handoff::new(Store::connect(&file_url(&dir)).await.unwrap());
        let t = h.open_ticket_of(ALICE).await.unwrap().expect("still open");
        assert_eq!((t.id, t.status, t.lang), (id, Status::Assigned, Lang::Zh));
        assert_eq!(t.assigned_to.as_deref(), Some("alice"));
        assert_eq!(h.ticket_by_thread(SUPPORT, 77).await.unwrap(), Some(t));
        assert_eq!(texts(&h.transcript(id).await.unwrap()), ["help"]);
    }
}

mod agents {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn of_two_agents_taking_a_ticket_at_once_one_wins_and_the_other_learns_who() {
        let dir = tempfile::tempdir().unwrap();
        // Two pools on one file: as two replicas of the bot would be.
        let a = Handoff::new(Store::connect(&file_url(&dir)).await.unwrap());
        let b = Handoff::new(Store::connect(&file_url(&dir)).await.unwrap());
        for chat in 0..20 {
            let (t, _) = a.open(chat, Lang::En, Reason::Asked).await.unwrap();
            let (x, y) = tokio::join!(a.assign(t.id, "alice"), b.assign(t.id, "bob"));
            let outcomes = [x.unwrap(), y.unwrap()];
            let winners: Vec<&str> = outcomes
                .iter()
                .filter_map(|o| match o {
                    Assign::Assigned(t) => t.assigned_to.as_deref(),
                    _ => None,
                })
                .collect();
            assert_eq!(winners.len(), 1, "{outcomes:?}");
            let loser = outcomes
                .iter()
                .find(|o| matches!(o, Assign::AlreadyAssigned { .. }))
                .expect("the other press learns it was taken");
            assert_eq!(
                loser,
                &Assign::AlreadyAssigned {
                    to: winners[0].to_string()
                }
            );
            let stored = a.by_id(t.id).await.unwrap().unwrap();
            assert_eq!(stored.assigned_to.as_deref(), Some(winners[0]));
        }
    }

    #[tokio::test]
    async fn the_agent_who_has_a_ticket_may_press_take_again() {
        let h = handoff().await;
        let (t, _) = h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        assert!(matches!(
            h.assign(t.id, "alice").await.unwrap(),
            Assign::Assigned(_)
        ));
        assert!(matches!(
            h.assign(t.id, "alice").await.unwrap(),
            Assign::Assigned(_)
        ));
        h.resolve(t.id).await.unwrap();
        assert_eq!(h.assign(t.id, "bob").await.unwrap(), Assign::Resolved);
        let missing = TicketId::new(999).unwrap();
        assert_eq!(h.assign(missing, "bob").await.unwrap(), Assign::NotFound);
    }

    #[tokio::test]
    async fn only_the_first_agent_reply_time_is_kept() {
        let clock = clock();
        let h = handoff_at(&clock).await;
        let (t, _) = h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        clock.advance(90);
        assert!(h.note_agent_reply(t.id).await.unwrap());
        clock.advance(600);
        assert!(!h.note_agent_reply(t.id).await.unwrap());
        let t = h.by_id(t.id).await.unwrap().unwrap();
        assert_eq!(
            t.first_agent_reply,
            Some(datetime!(2026-11-25 09:01:30 UTC))
        );
    }
}

mod ratings {
    use super::*;

    #[tokio::test]
    async fn a_resolved_ticket_is_rated_once_and_the_first_rating_stands() {
        let h = handoff().await;
        let (t, _) = h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        let four = Rating::new(4).unwrap();
        assert_eq!(h.rate(t.id, ALICE, four).await.unwrap(), Rate::NotResolved);
        h.resolve(t.id).await.unwrap();
        assert_eq!(h.rate(t.id, ALICE, four).await.unwrap(), Rate::Rated);
        let one = Rating::new(1).unwrap();
        assert_eq!(
            h.rate(t.id, ALICE, one).await.unwrap(),
            Rate::AlreadyRated(four)
        );
        assert_eq!(h.by_id(t.id).await.unwrap().unwrap().rating, Some(four));
    }

    #[test]
    fn a_rating_outside_one_to_five_stars_is_refused() {
        for stars in [-1, 0, 6, 256] {
            assert!(Rating::new(stars).is_err(), "{stars}");
        }
        assert!((1..=5).all(|s| Rating::new(s).is_ok()));
    }

    #[tokio::test]
    async fn a_customer_cannot_rate_another_customers_ticket() {
        let h = handoff().await;
        let (t, _) = h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        h.resolve(t.id).await.unwrap();
        let five = Rating::new(5).unwrap();
        assert_eq!(h.rate(t.id, BOB, five).await.unwrap(), Rate::NotFound);
        assert_eq!(h.by_id(t.id).await.unwrap().unwrap().rating, None);
    }
}

mod transcripts {
    use super::*;

    #[tokio::test]
    async fn the_transcript_keeps_the_last_20_turns_in_order() {
        let h = handoff().await;
        for n in 1..=25 {
            let role = if n % 2 == 1 {
                Role::Customer
            } else {
                Role::Bot
            };
            h.record_turn(ALICE, role, &format!("turn {n}"))
                .await
                .unwrap();
        }
        let (t, _) = h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        let expected: Vec<String> = (6..=25).map(|n| format!("turn {n}")).collect();
        assert_eq!(texts(&h.transcript(t.id).await.unwrap()), expected);

        for n in 26..=30 {
            h.record_turn(ALICE, Role::Agent, &format!("turn {n}"))
                .await
                .unwrap();
        }
        let turns = h.transcript(t.id).await.unwrap();
        assert_eq!(turns.len(), TRANSCRIPT_TURNS);
        let expected: Vec<String> = (11..=30).map(|n| format!("turn {n}")).collect();
        assert_eq!(texts(&turns), expected);
        assert_eq!(turns.last().unwrap().role, Role::Agent);
    }

    #[tokio::test]
    async fn a_resolved_ticket_keeps_its_transcript_as_it_was() {
        let h = handoff().await;
        h.record_turn(ALICE, Role::Customer, "before")
            .await
            .unwrap();
        let (t, _) = h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        h.record_turn(ALICE, Role::Agent, "during").await.unwrap();
        h.resolve(t.id).await.unwrap();
        h.record_turn(ALICE, Role::Customer, "after").await.unwrap();
        assert_eq!(
            texts(&h.transcript(t.id).await.unwrap()),
            ["before", "during"]
        );
    }

    #[tokio::test]
    async fn one_customers_turns_never_reach_another_customers_transcript() {
        let h = handoff().await;
        h.record_turn(BOB, Role::Customer, "bob before")
            .await
            .unwrap();
        let (a, _) = h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        let (b, _) = h.open(BOB, Lang::En, Reason::Asked).await.unwrap();
        h.record_turn(ALICE, Role::Customer, "alice during")
            .await
            .unwrap();
        assert_eq!(texts(&h.transcript(a.id).await.unwrap()), ["alice during"]);
        assert_eq!(texts(&h.transcript(b.id).await.unwrap()), ["bob before"]);
    }
}

mod routing {
    use super::*;

    #[tokio::test]
    async fn replies_route_to_the_ticket_by_topic_and_by_message_id() {
        let h = handoff().await;
        let (t, _) = h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        assert!(h.set_thread(t.id, SUPPORT, 40).await.unwrap());
        assert!(h.set_card(t.id, SUPPORT, 41).await.unwrap());
        assert!(h.link_message(t.id, SUPPORT, 45).await.unwrap());

        let by_thread = h.ticket_by_thread(SUPPORT, 40).await.unwrap().unwrap();
        assert_eq!(by_thread.id, t.id);
        assert_eq!(by_thread.relay.thread, Some(40));
        assert_eq!(by_thread.relay.card_message, Some(41));
        assert_eq!(by_thread.relay.support_chat, Some(SUPPORT));
        for message in [41, 45] {
            let found = h.ticket_by_message(SUPPORT, message).await.unwrap();
            assert_eq!(found.map(|t| t.chat), Some(ALICE), "message {message}");
        }
        assert_eq!(h.ticket_by_message(SUPPORT, 46).await.unwrap(), None);
        assert_eq!(h.ticket_by_thread(SUPPORT, 41).await.unwrap(), None);
        // Ids are only unique within a chat: another group's message 45 is not ours.
        assert_eq!(h.ticket_by_message(-100_777, 45).await.unwrap(), None);
        assert_eq!(h.ticket_by_thread(-100_777, 40).await.unwrap(), None);
    }

    #[tokio::test]
    async fn two_customers_tickets_never_cross() {
        let h = handoff().await;
        let (a, _) = h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        let (b, _) = h.open(BOB, Lang::Zh, Reason::Asked).await.unwrap();
        h.set_thread(a.id, SUPPORT, 10).await.unwrap();
        h.set_thread(b.id, SUPPORT, 20).await.unwrap();
        h.link_message(a.id, SUPPORT, 11).await.unwrap();
        h.link_message(b.id, SUPPORT, 21).await.unwrap();

        let chat_of_thread = |t: Option<jiebei_bot::handoff::Ticket>| t.map(|t| t.chat);
        assert_eq!(
            chat_of_thread(h.ticket_by_thread(SUPPORT, 10).await.unwrap()),
            Some(ALICE)
        );
        assert_eq!(
            chat_of_thread(h.ticket_by_thread(SUPPORT, 20).await.unwrap()),
            Some(BOB)
        );
        assert_eq!(
            chat_of_thread(h.ticket_by_message(SUPPORT, 11).await.unwrap()),
            Some(ALICE)
        );
        assert_eq!(
            chat_of_thread(h.ticket_by_message(SUPPORT, 21).await.unwrap()),
            Some(BOB)
        );
        assert_eq!(
            h.open_ticket_of(ALICE).await.unwrap().map(|t| t.id),
            Some(a.id)
        );
        assert_eq!(
            h.open_ticket_of(BOB).await.unwrap().map(|t| t.id),
            Some(b.id)
        );
    }

    #[tokio::test]
    async fn a_recreated_topic_replaces_the_old_one() {
        let h = handoff().await;
        let (t, _) = h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        h.set_thread(t.id, SUPPORT, 10).await.unwrap();
        h.set_thread(t.id, SUPPORT, 12).await.unwrap();
        assert_eq!(h.ticket_by_thread(SUPPORT, 10).await.unwrap(), None);
        assert_eq!(
            h.ticket_by_thread(SUPPORT, 12).await.unwrap().map(|t| t.id),
            Some(t.id)
        );
        let missing = TicketId::new(999).unwrap();
        assert!(!h.set_thread(missing, SUPPORT, 13).await.unwrap());
        assert!(!h.link_message(missing, SUPPORT, 14).await.unwrap());
        assert_eq!(h.ticket_by_message(SUPPORT, 14).await.unwrap(), None);
    }
}

mod figures {
    use super::*;

    #[tokio::test]
    async fn stats_count_tickets_and_take_medians_on_controlled_times() {
        let clock = clock();
        let h = handoff_at(&clock).await;
        // Three tickets answered after 60, 120 and 600 s, resolved after
        // 300, 900 and 3600 s and rated 5, 4, 5; one open and one assigned.
        for (chat, reply, resolve, stars) in [(1, 60, 300, 5), (2, 120, 900, 4), (3, 600, 3600, 5)]
        {
            let (t, _) = h.open(chat, Lang::En, Reason::Asked).await.unwrap();
            clock.advance(reply);
            h.note_agent_reply(t.id).await.unwrap();
            clock.advance(resolve - reply);
            h.resolve(t.id).await.unwrap();
            h.rate(t.id, chat, Rating::new(stars).unwrap())
                .await
                .unwrap();
        }
        h.open(4, Lang::En, Reason::Asked).await.unwrap();
        let (t, _) = h.open(5, Lang::Zh, Reason::Asked).await.unwrap();
        h.assign(t.id, "alice").await.unwrap();

        let s = h.stats().await.unwrap();
        assert_eq!((s.open, s.assigned, s.resolved), (1, 1, 3));
        assert_eq!(s.median_first_reply_secs, Some(120));
        assert_eq!(s.median_resolution_secs, Some(900));
        assert_eq!(s.ratings, [0, 0, 0, 1, 2]);
        assert_eq!(s.average_rating, Some(14.0 / 3.0));

        let json = tickets_json(&h, &["stats", "--json"]).await;
        assert_eq!(json["median_first_reply_secs"], 120);
        assert_eq!(json["ratings"], serde_json::json!([0, 0, 0, 1, 2]));
        let text = tickets(&h, &["stats"]).await.unwrap();
        assert!(text.contains("median first reply  2m"), "{text}");
        assert!(text.contains("median resolution   15m"), "{text}");
    }

    #[tokio::test]
    async fn stats_with_no_tickets_have_no_medians() {
        let s = handoff().await.stats().await.unwrap();
        assert_eq!((s.open, s.resolved), (0, 0));
        assert_eq!(s.median_first_reply_secs, None);
        assert_eq!(s.average_rating, None);
    }
}

mod unanswered {
    use super::*;

    fn matcher() -> (Matcher, Content) {
        let content = Content::builtin().unwrap();
        (Matcher::new(&content), content)
    }

    #[tokio::test]
    async fn near_duplicates_are_grouped_and_counted_most_frequent_first() {
        let h = handoff().await;
        for text in [
            "where is the nearest branch",
            "can I get back the interest I paid",
            "借呗可以分期吗",
            "Can I get back the interest I paid?",
            "can i get back the interest i paid!!",
            "借呗可以分期吗？",
            "can I get back the interests I paid",
        ] {
            let lang = if text.is_ascii() { Lang::En } else { Lang::Zh };
            h.record_unanswered(lang, text).await.unwrap();
        }
        let (matcher, content) = matcher();
        let groups = h.unanswered_report(None, &matcher, &content).await.unwrap();
        let summary: Vec<(usize, Lang)> = groups.iter().map(|g| (g.count, g.lang)).collect();
        assert_eq!(summary, [(4, Lang::En), (2, Lang::Zh), (1, Lang::En)]);
        assert_eq!(
            groups[0].examples,
            [
                "can I get back the interests I paid",
                "can i get back the interest i paid!!",
                "Can I get back the interest I paid?",
            ],
            "up to three texts, the latest first"
        );
        assert_eq!(groups[1].examples, ["借呗可以分期吗？", "借呗可以分期吗"]);
        assert_eq!(groups[2].examples, ["where is the nearest branch"]);

        let nearest = groups[0]
            .nearest
            .as_ref()
            .expect("the content talks of interest");
        let expected = matcher.explain("can I get back the interest I paid", Lang::En);
        assert_eq!(
            Some(&nearest.target),
            expected.best.as_ref().map(|b| &b.target)
        );
        assert_eq!(
            nearest.target,
            Target::Faq(jiebei_bot::content::FaqId::parse("interest-rate").unwrap())
        );
        assert_eq!(
            nearest.question.as_deref(),
            Some("Has the Jiebei interest rate changed?")
        );
    }

    #[tokio::test]
    async fn since_leaves_out_older_questions() {
        let clock = clock();
        let h = handoff_at(&clock).await;
        h.record_unanswered(Lang::En, "an old question about fees")
            .await
            .unwrap();
        clock.advance(10 * 86_400);
        h.record_unanswered(Lang::En, "a new question about fees")
            .await
            .unwrap();
        clock.advance(3600);
        let (matcher, content) = matcher();
        let recent = h
            .unanswered_report(Some(7), &matcher, &content)
            .await
            .unwrap();
        assert_eq!(recent.len(), 1);
        assert_eq!(recent[0].examples, ["a new question about fees"]);
        let all = h.unanswered_report(None, &matcher, &content).await.unwrap();
        assert_eq!(all.iter().map(|g| g.count).sum::<usize>(), 2);
    }

    #[tokio::test]
    async fn the_unanswered_command_prints_groups_or_json() {
        let h = handoff().await;
        h.record_unanswered(Lang::En, "can I get back the interest I paid")
            .await
            .unwrap();
        let (matcher, content) = matcher();
        let mut out = Vec::new();
        run_unanswered(&h, &matcher, &content, Some(30), true, &mut out)
            .await
            .unwrap();
        let json: Value = serde_json::from_slice(&out).unwrap();
        let group = &json[0];
        assert_eq!(group["count"], 1);
        assert_eq!(group["lang"], "en");
        assert_eq!(group["examples"][0], "can I get back the interest I paid");
        assert_eq!(group["nearest"]["target"], "interest-rate");
        assert!(group["last_seen"].is_string());

        let mut out = Vec::new();
        run_unanswered(&h, &matcher, &content, Some(30), false, &mut out)
            .await
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("1 unanswered question in the last 30 days, in 1 group:"),
            "{text}"
        );
        assert!(text.contains("nearest: interest-rate"), "{text}");
    }
}

mod commands {
    use super::*;

    const TICKET_FIELDS: [&str; 6] = ["id", "status", "reason", "lang", "created", "rating"];

    #[tokio::test]
    async fn tickets_list_json_is_an_array_of_tickets_with_the_documented_fields() {
        let h = handoff().await;
        h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        let money = "1200.50".parse().unwrap();
        let (b, _) = h
            .open(BOB, Lang::Zh, Reason::outstanding(money))
            .await
            .unwrap();
        h.resolve(b.id).await.unwrap();
        h.rate(b.id, BOB, Rating::new(5).unwrap()).await.unwrap();

        let all = tickets_json(&h, &["list", "--json"]).await;
        let all = all.as_array().unwrap();
        assert_eq!(all.len(), 2);
        for ticket in all {
            for field in TICKET_FIELDS {
                assert!(ticket.get(field).is_some(), "{field} missing in {ticket}");
            }
        }
        assert_eq!(all[0]["id"], "T-000001");
        assert_eq!(all[0]["status"], "open");
        assert_eq!(all[0]["rating"], Value::Null);
        assert_eq!(all[0]["created"], "2026-11-25T09:00:00Z");
        assert_eq!(all[1]["reason"], "blocked_closure");
        assert_eq!(all[1]["reason_detail"], "outstanding 1200.50");
        assert_eq!(all[1]["lang"], "zh");
        assert_eq!(all[1]["rating"], 5);

        let open = tickets_json(&h, &["list", "--status", "open", "--json"]).await;
        assert_eq!(open.as_array().unwrap().len(), 1);
        assert_eq!(open[0]["id"], "T-000001");
        assert!(tickets(&h, &["list", "--status", "closed"]).await.is_err());
    }

    #[tokio::test]
    async fn tickets_show_json_adds_reasons_and_the_transcript() {
        let h = handoff().await;
        h.record_turn(ALICE, Role::Customer, "/agent")
            .await
            .unwrap();
        let (t, _) = h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        h.record_turn(ALICE, Role::Bot, "An agent will answer here.")
            .await
            .unwrap();
        let shown = tickets_json(&h, &["show", "T-000001", "--json"]).await;
        for field in TICKET_FIELDS {
            assert!(shown.get(field).is_some(), "{field} missing in {shown}");
        }
        assert_eq!(shown["id"], t.id.to_string());
        assert_eq!(shown["reasons"][0]["reason"], "asked");
        let transcript = shown["transcript"].as_array().unwrap();
        assert_eq!(transcript.len(), 2);
        assert_eq!(transcript[0]["role"], "customer");
        assert_eq!(transcript[0]["text"], "/agent");
        assert_eq!(transcript[1]["role"], "bot");
        assert_eq!(transcript[1]["at"], "2026-11-25T09:00:00Z");
    }

    #[tokio::test]
    async fn the_human_show_gives_status_reasons_and_the_transcript() {
        let clock = clock();
        let h = handoff_at(&clock).await;
        h.record_turn(ALICE, Role::Customer, "call me on 13800138000")
            .await
            .unwrap();
        let (t, _) = h
            .open(ALICE, Lang::En, Reason::RepeatedMisses)
            .await
            .unwrap();
        clock.advance(300);
        h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        h.assign(t.id, "alice").await.unwrap();
        h.record_turn(ALICE, Role::Agent, "Hello, how can I help?")
            .await
            .unwrap();
        let shown = tickets(&h, &["show", "1"]).await.unwrap();
        for line in [
            "ticket       T-000001",
            "status       assigned (agent alice)",
            "reason       repeated_misses",
            "asked again  asked (0s ago)",
            "created      2026-11-25T09:00:00Z (5m ago)",
            "rating       -",
            "  11-25 09:00  customer  call me on *******8000",
            "  11-25 09:05  agent     Hello, how can I help?",
        ] {
            assert!(
                shown.lines().any(|l| l == line),
                "no line `{line}` in\n{shown}"
            );
        }
    }

    #[tokio::test]
    async fn the_human_list_shows_each_ticket_with_its_age() {
        let clock = clock();
        let h = handoff_at(&clock).await;
        h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        clock.advance(2 * 3600 + 5);
        h.open(BOB, Lang::Zh, Reason::RepeatedMisses).await.unwrap();
        clock.advance(180);
        let list = tickets(&h, &["list"]).await.unwrap();
        let lines: Vec<&str> = list.lines().collect();
        assert_eq!(lines.len(), 3, "{list}");
        assert!(lines[0].starts_with("ID"), "{list}");
        assert!(
            lines[1].starts_with("T-000001  open") && lines[1].contains(" 2h "),
            "{list}"
        );
        assert!(
            lines[2].contains("repeated_misses") && lines[2].contains(" 3m "),
            "{list}"
        );
        assert_eq!(
            tickets(&h, &["list", "--status", "resolved"])
                .await
                .unwrap(),
            "no resolved tickets\n"
        );
    }

    #[tokio::test]
    async fn tickets_resolve_from_the_command_line_frees_the_customer() {
        let h = handoff().await;
        h.open(ALICE, Lang::En, Reason::Asked).await.unwrap();
        let said = tickets(&h, &["resolve", "T-000001"]).await.unwrap();
        assert!(said.starts_with("resolved T-000001"), "{said}");
        assert_eq!(h.open_ticket_of(ALICE).await.unwrap(), None);
        let again = tickets(&h, &["resolve", "1"]).await.unwrap();
        assert_eq!(again, "T-000001 was already resolved\n");
    }

    #[tokio::test]
    async fn an_unknown_ticket_id_is_an_error_naming_it() {
        let h = handoff().await;
        let err = tickets(&h, &["show", "T-000009"]).await.unwrap_err();
        assert_eq!(err, "no ticket T-000009");
        let err = tickets(&h, &["show", "T-x"]).await.unwrap_err();
        assert!(err.contains("is not a ticket id"), "{err}");
    }
}
