//! The support group end to end: the real dispatcher against the fake Bot
//! API, with a support group configured (issue 6).
//!
//! - handoff: `/agent` and two fallbacks in a row post a card with the reason
//! - where cards go: a forum topic per ticket, or a message in a plain group
//! - relay: customer → agents and agents → customer, in order, media too
//! - agents: "take" is first come first served, `/resolve`, `/tickets`
//! - who may act: only the support group; customers never cross
//! - robustness: a restart, a deleted topic or card, a customer who blocked
//!   the bot, a group that became a supergroup
//! - privacy: phone and ID numbers masked in the card

mod support;

use jiebei_bot::callback::CallbackData;
use jiebei_bot::content::ActionId;
use jiebei_bot::engine::{Incoming, Input};
use jiebei_bot::handoff::{Status, Ticket, TicketId};
use jiebei_bot::lang::Lang;
use support::bot::TestBot;
use support::fake_bot_api::{FakeBotApi, Message, PATIENCE};
use support::updates::{Group, Media, Person};

fn forum(id: i64) -> Group {
    Group {
        id,
        title: "Support".into(),
        supergroup: true,
        forum: true,
    }
}

fn plain(id: i64) -> Group {
    Group {
        id,
        title: "Support".into(),
        supergroup: true,
        forum: false,
    }
}

/// A text the bot says in the support group (English there).
fn group_text(bot: &TestBot, key: &str, vars: &[(&str, &str)]) -> String {
    bot.content.text_with(key, Lang::En, vars)
}

fn take_data(ticket: i64) -> String {
    CallbackData::Take(TicketId::new(ticket).unwrap()).encode()
}

/// Waits for the card of ticket `n` in `group` (the message with its take
/// button) and returns it.
async fn card(bot: &TestBot, group: i64, n: i64) -> Message {
    let data = take_data(n);
    let has = |m: &Message| m.callback_data().contains(&data);
    bot.api
        .wait_until(&format!("the card of ticket {n}"), |api| {
            api.bot_messages(group).iter().any(has)
        })
        .await;
    bot.api.bot_messages(group).into_iter().find(has).unwrap()
}

/// `who` sends `/agent`; returns the card of ticket `n` once it is posted.
async fn open_ticket(bot: &TestBot, who: &Person, group: i64, n: i64) -> Message {
    let before = bot.api.bot_messages(who.id).len();
    bot.api.send_text(who, "/agent");
    let got = bot.messages(who.id, before + 1).await;
    let id = format!("T-{n:06}");
    let lang = if who.language_code.as_deref() == Some("zh-hans") {
        Lang::Zh
    } else {
        Lang::En
    };
    assert_eq!(
        got[before].text,
        bot.content
            .text_with("ticket_opened", lang, &[("ticket", &id)])
    );
    card(bot, group, n).await
}

/// A bot whose support group is `group`, with Anna (English) waiting in
/// ticket 1 and Wang there to answer.
struct Waiting {
    bot: TestBot,
    group: Group,
    anna: Person,
    wang: Person,
    card: Message,
}

impl Waiting {
    async fn in_group(group: Group) -> Waiting {
        let bot = TestBot::start_with_support(&group).await;
        let anna = Person::new(201, Some("en"));
        let card = open_ticket(&bot, &anna, group.id, 1).await;
        Waiting {
            bot,
            group,
            anna,
            wang: Person::new(901, None),
            card,
        }
    }

    /// The ticket's forum topic.
    fn topic(&self) -> i64 {
        self.card.thread.expect("the card is in a topic")
    }

    /// Wang writes `text` in the ticket's topic.
    fn answer(&self, text: &str) {
        self.bot
            .api
            .send_group_text(&self.group, &self.wang, Some(self.topic()), text);
    }

    /// Wang writes `text` as a reply to `message`.
    fn reply(&self, message: i64, text: &str) -> i64 {
        let fields = serde_json::json!({ "text": text });
        self.bot
            .api
            .send_group_message(&self.group, &self.wang, None, Some(message), fields)
    }

    /// Waits until every update so far is handled, then stops the bot.
    async fn settle(&mut self) {
        self.bot.api.wait_until_confirmed().await;
        self.bot.stop().await.unwrap();
    }
}

/// Wang's name as agents see it (he has no username).
const WANG: &str = "User901 (id 901)";

/// The bot's copies in `group` of messages from `chat`, oldest first.
fn copies(api: &FakeBotApi, group: i64, chat: i64) -> Vec<Message> {
    api.bot_messages(group)
        .into_iter()
        .filter(|m| m.copied_from.is_some_and(|(c, _)| c == chat))
        .collect()
}

async fn wait_for_copies(bot: &TestBot, group: i64, chat: i64, n: usize) -> Vec<Message> {
    bot.api
        .wait_until(&format!("{n} copies from {chat}"), |api| {
            copies(api, group, chat).len() >= n
        })
        .await;
    copies(&bot.api, group, chat)
}

/// The id of the message `who` sent last in their private chat.
fn last_sent(bot: &TestBot, who: &Person) -> i64 {
    let sent = bot.api.person_messages(who.id);
    sent.last().expect("the person sent something").id
}

/// The customer's open ticket once its card is stored (the card shows
/// in the group a moment before the database has it).
async fn placed_ticket(bot: &TestBot, who: &Person) -> Ticket {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let ticket = bot.handoff().open_ticket_of(who.id).await.unwrap();
        match ticket {
            Some(t) if t.relay.card_message.is_some() => return t,
            _ if tokio::time::Instant::now() > deadline => panic!("no card stored: {ticket:?}"),
            _ => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
}

fn said_by_agent(bot: &TestBot, lang: Lang, text: &str) -> String {
    bot.content.text_with("agent_says", lang, &[("text", text)])
}

#[tokio::test]
async fn agent_opens_a_ticket_whose_card_gets_a_topic_of_its_own_in_a_forum() {
    let group = forum(-1_001_000_000_001);
    let bot = TestBot::start_with_support(&group).await;
    let anna = Person::new(201, Some("en"));
    bot.api.send_text(&anna, "how do I close jiebei");
    bot.messages(anna.id, 1).await;
    let card = open_ticket(&bot, &anna, group.id, 1).await;

    let topics = bot.api.calls_to("createForumTopic");
    assert_eq!(topics.len(), 1);
    assert_eq!(topics[0].params["name"], "T-000001 · en · asked");
    assert!(card.thread.is_some(), "the card is in the topic");
    assert!(
        card.text.starts_with("Ticket T-000001 · en"),
        "{}",
        card.text
    );
    assert!(card
        .text
        .contains(&group_text(&bot, "support_reason_asked", &[])));
    assert!(card.text.contains("how do I close jiebei"), "{}", card.text);
    assert_eq!(
        card.buttons[0][0].0,
        group_text(&bot, "support_button_take", &[])
    );
    let ticket = placed_ticket(&bot, &anna).await;
    assert_eq!(ticket.relay.thread, card.thread);
    assert_eq!(ticket.relay.card_message, Some(card.id));

    let menus = bot.api.calls_to("setMyCommands");
    let agents = menus
        .iter()
        .find(|c| c.params["scope"]["type"] == "chat")
        .expect("a menu for the support group");
    assert_eq!(agents.params["scope"]["chat_id"], group.id);
    assert_eq!(agents.params["commands"][0]["command"], "resolve");
}

#[tokio::test]
async fn two_fallbacks_in_a_row_offer_a_human_and_the_card_in_a_plain_group_says_why() {
    let group = plain(-1_001_000_000_002);
    let bot = TestBot::start_with_support(&group).await;
    let bo = Person::new(202, Some("en"));
    bot.api.send_text(&bo, "what is the weather tomorrow");
    bot.messages(bo.id, 1).await;
    bot.api.send_text(&bo, "tell me a joke");
    let got = bot.messages(bo.id, 2).await;
    let agent = CallbackData::Start(ActionId::Agent).encode();
    let offer = got
        .iter()
        .find(|m| m.callback_data().contains(&agent))
        .expect("the second fallback offers a human");
    bot.api.press(&bo, bo.id, offer.id, &agent);

    let card = card(&bot, group.id, 1).await;
    assert!(bot.api.calls_to("createForumTopic").is_empty());
    assert_eq!(card.thread, None, "a plain group has no topics");
    assert!(card
        .text
        .contains(&group_text(&bot, "support_reason_repeated_misses", &[])));
    assert!(card.text.contains("tell me a joke"));
}

#[tokio::test]
async fn customer_and_agent_messages_cross_the_forum_topic_in_order_media_too() {
    let w = Waiting::in_group(forum(-1_001_000_000_003)).await;
    let (bot, anna) = (&w.bot, &w.anna);

    let mut sent = Vec::new();
    for text in ["first", "how do I close jiebei", "third"] {
        bot.api.send_text(anna, text);
        sent.push(last_sent(bot, anna));
    }
    bot.api.send_media(anna, Media::Photo);
    sent.push(last_sent(bot, anna));
    let relayed = wait_for_copies(bot, w.group.id, anna.id, 4).await;
    let order: Vec<i64> = relayed.iter().map(|m| m.copied_from.unwrap().1).collect();
    assert_eq!(order, sent, "copied in the order sent");
    assert!(relayed.iter().all(|m| m.thread == Some(w.topic())));
    assert_eq!(
        bot.api.bot_messages(anna.id).len(),
        1,
        "no FAQ answer while the ticket is open"
    );

    w.answer("你好, hello");
    w.answer("second answer");
    let fields = Media::Document.fields();
    let doc = bot
        .api
        .send_group_message(&w.group, &w.wang, Some(w.topic()), None, fields);
    let got = bot.messages(anna.id, 5).await;
    assert_eq!(got[1].text, said_by_agent(bot, Lang::En, "你好, hello"));
    assert_eq!(got[2].text, said_by_agent(bot, Lang::En, "second answer"));
    assert_eq!(got[3].text, bot.content.text("agent_media", Lang::En));
    assert_eq!(got[4].copied_from, Some((w.group.id, doc)));

    let ticket = bot
        .handoff()
        .open_ticket_of(anna.id)
        .await
        .unwrap()
        .unwrap();
    assert!(ticket.first_agent_reply.is_some());
    let transcript = bot.handoff().transcript(ticket.id).await.unwrap();
    assert!(transcript.iter().any(|t| t.text == "second answer"));
}

#[tokio::test]
async fn in_a_plain_group_agents_answer_by_replying_to_the_card_or_a_relayed_message() {
    let mut w = Waiting::in_group(plain(-1_001_000_000_004)).await;
    let (bot, anna) = (&w.bot, &w.anna);
    bot.api.send_text(anna, "are you there?");
    let relayed = wait_for_copies(bot, w.group.id, anna.id, 1).await;
    assert_eq!(relayed[0].reply_to, Some(w.card.id), "a reply to the card");

    w.reply(w.card.id, "on the card");
    w.reply(relayed[0].id, "on your message");
    bot.api
        .send_group_text(&w.group, &w.wang, None, "lunch anyone?");
    let got = bot.messages(anna.id, 3).await;
    assert_eq!(got[1].text, said_by_agent(bot, Lang::En, "on the card"));
    assert_eq!(got[2].text, said_by_agent(bot, Lang::En, "on your message"));
    w.settle().await;
    assert_eq!(
        w.bot.api.bot_messages(w.anna.id).len(),
        3,
        "chatter in the group stays there"
    );
}

#[tokio::test]
async fn the_first_agent_to_press_take_gets_the_ticket_and_the_second_is_told_who_has_it() {
    let w = Waiting::in_group(forum(-1_001_000_000_005)).await;
    let bot = &w.bot;
    let li = Person::new(902, None);
    let data = take_data(1);

    bot.api.press(&w.wang, w.group.id, w.card.id, &data);
    bot.api.press(&li, w.group.id, w.card.id, &data);
    let answers = bot.api.wait_for_calls("answerCallbackQuery", 2).await;
    assert_eq!(
        answers[0].params["text"],
        group_text(bot, "support_take_ok", &[("ticket", "T-000001")])
    );
    assert_ne!(answers[0].params["show_alert"], true);
    assert_eq!(
        answers[1].params["text"],
        group_text(
            bot,
            "support_take_already",
            &[("ticket", "T-000001"), ("agent", WANG)]
        )
    );
    assert_eq!(answers[1].params["show_alert"], true);

    let ticket = bot
        .handoff()
        .open_ticket_of(w.anna.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ticket.status, Status::Assigned);
    assert_eq!(ticket.assigned_to.as_deref(), Some(WANG));
    let taken = group_text(bot, "support_button_taken", &[("agent", WANG)]);
    bot.api
        .wait_until("the card shows who has it", |api| {
            api.message(w.group.id, w.card.id).unwrap().buttons[0][0].0 == taken
        })
        .await;
    assert!(bot.api.unanswered_queries().is_empty());
}

#[tokio::test]
async fn resolve_gives_the_customer_back_to_the_bot_with_rating_buttons() {
    let w = Waiting::in_group(forum(-1_001_000_000_006)).await;
    let (bot, anna) = (&w.bot, &w.anna);

    w.answer("/resolve");
    let got = bot.messages(anna.id, 2).await;
    assert_eq!(
        got[1].text,
        bot.content
            .text_with("ticket_resolved", Lang::En, &[("ticket", "T-000001")])
    );
    let ratings = got[1].callback_data();
    assert_eq!(ratings.len(), 5, "1 to 5 stars");
    let resolved = group_text(
        bot,
        "support_resolved",
        &[("ticket", "T-000001"), ("agent", WANG)],
    );
    bot.api
        .wait_until("the topic closed and the group told", |api| {
            api.topic_closed(w.group.id, w.topic())
                && api
                    .bot_messages(w.group.id)
                    .iter()
                    .any(|m| m.text == resolved)
        })
        .await;
    assert_eq!(
        bot.api.message(w.group.id, w.card.id).unwrap().buttons[0][0].0,
        group_text(bot, "support_button_resolved", &[])
    );

    bot.api.press(anna, anna.id, got[1].id, &ratings[4]);
    let got = bot.messages(anna.id, 3).await;
    assert_eq!(got[2].text, bot.content.text("rating_thanks", Lang::En));
    let question = "how do I close jiebei";
    bot.api.send_text(anna, question);
    let got = bot.messages(anna.id, 4).await;
    let expected = bot
        .expected(Incoming {
            chat: anna.id,
            user: Some(anna.id),
            language_code: anna.language_code.clone(),
            input: Input::Text(question.into()),
        })
        .await;
    assert_eq!(
        got[3].text,
        expected[0].text.trim(),
        "the FAQ answers again"
    );
    assert!(copies(&bot.api, w.group.id, anna.id).is_empty());
}

#[tokio::test]
async fn agent_commands_from_another_group_or_a_private_chat_are_ignored() {
    let mut w = Waiting::in_group(forum(-1_001_000_000_007)).await;
    let bot = &w.bot;
    let other = forum(-1_001_000_000_077);
    let mallory = Person::new(666, Some("en"));

    // The same topic number in another forum, and commands there.
    let topic = Some(w.topic());
    bot.api.send_group_text(&other, &mallory, topic, "/resolve");
    bot.api
        .send_group_text(&other, &mallory, topic, "hello customer");
    bot.api.send_group_text(&other, &mallory, None, "/tickets");
    bot.api.send_text(&mallory, "/resolve");
    bot.messages(mallory.id, 1).await;
    w.settle().await;

    let bot = &w.bot;
    assert!(
        bot.api.bot_messages(other.id).is_empty(),
        "silent elsewhere"
    );
    assert_eq!(
        bot.api.bot_messages(w.anna.id).len(),
        1,
        "nothing reached anna"
    );
    let ticket = bot.handoff().open_ticket_of(w.anna.id).await.unwrap();
    assert!(ticket.is_some_and(|t| t.status == Status::Open));
}

#[tokio::test]
async fn two_customers_at_once_never_cross() {
    let group = forum(-1_001_000_000_008);
    let mut bot = TestBot::start_with_support(&group).await;
    let anna = Person::new(201, Some("en"));
    let bo = Person::new(202, Some("zh-hans"));
    let wang = Person::new(901, None);
    bot.api.send_text(&anna, "/agent");
    bot.api.send_text(&bo, "/agent");
    bot.messages(anna.id, 1).await;
    bot.messages(bo.id, 1).await;
    let handoff = bot.handoff();
    let ta = handoff.open_ticket_of(anna.id).await.unwrap().unwrap();
    let tb = handoff.open_ticket_of(bo.id).await.unwrap().unwrap();
    let card_a = card(&bot, group.id, ta.id.get()).await;
    let card_b = card(&bot, group.id, tb.id.get()).await;
    let (topic_a, topic_b) = (card_a.thread.unwrap(), card_b.thread.unwrap());
    assert_ne!(topic_a, topic_b);

    bot.api.send_text(&anna, "anna here");
    bot.api.send_text(&bo, "我是波");
    let from_a = wait_for_copies(&bot, group.id, anna.id, 1).await;
    let from_b = wait_for_copies(&bot, group.id, bo.id, 1).await;
    assert_eq!(from_a[0].thread, Some(topic_a));
    assert_eq!(from_b[0].thread, Some(topic_b));

    bot.api
        .send_group_text(&group, &wang, Some(topic_b), "for bo");
    bot.api
        .send_group_text(&group, &wang, Some(topic_a), "for anna");
    let got_a = bot.messages(anna.id, 2).await;
    let got_b = bot.messages(bo.id, 2).await;
    assert_eq!(got_a[1].text, said_by_agent(&bot, Lang::En, "for anna"));
    assert_eq!(got_b[1].text, said_by_agent(&bot, Lang::Zh, "for bo"));
    bot.api.wait_until_confirmed().await;
    bot.stop().await.unwrap();
    assert_eq!(bot.api.bot_messages(anna.id).len(), 2);
    assert_eq!(bot.api.bot_messages(bo.id).len(), 2);
}

#[tokio::test]
async fn a_restart_with_an_open_ticket_keeps_relaying_both_ways() {
    let mut w = Waiting::in_group(forum(-1_001_000_000_009)).await;
    w.bot.restart().await;
    let (bot, anna) = (&w.bot, &w.anna);
    bot.api.send_text(anna, "still there?");
    let relayed = wait_for_copies(bot, w.group.id, anna.id, 1).await;
    assert_eq!(relayed[0].thread, Some(w.topic()), "the same topic");
    w.answer("yes, still here");
    let got = bot.messages(anna.id, 2).await;
    assert_eq!(got[1].text, said_by_agent(bot, Lang::En, "yes, still here"));
    assert_eq!(bot.api.calls_to("createForumTopic").len(), 1);
}

#[tokio::test]
async fn the_card_masks_phone_and_id_card_numbers() {
    let group = plain(-1_001_000_000_010);
    let bot = TestBot::start_with_support(&group).await;
    let anna = Person::new(201, Some("en"));
    bot.api.send_text(
        &anna,
        "my phone is 13800138000 and my ID is 11010119900307123X",
    );
    bot.messages(anna.id, 1).await;
    let card = open_ticket(&bot, &anna, group.id, 1).await;
    assert!(!card.text.contains("13800138000"), "{}", card.text);
    assert!(!card.text.contains("11010119900307"), "{}", card.text);
    assert!(
        card.text.contains("8000"),
        "the last digits stay: {}",
        card.text
    );
    assert!(card.text.contains("123X"), "{}", card.text);
}

#[tokio::test]
async fn a_deleted_topic_is_made_again_on_the_next_message() {
    let w = Waiting::in_group(forum(-1_001_000_000_011)).await;
    let (bot, anna) = (&w.bot, &w.anna);
    let old = w.topic();

    bot.api.delete_topic(w.group.id, old);
    bot.api.send_text(anna, "hello?");
    let relayed = wait_for_copies(bot, w.group.id, anna.id, 1).await;
    let new = relayed[0].thread.unwrap();
    assert_ne!(new, old);
    assert_eq!(bot.api.calls_to("createForumTopic").len(), 2);
    let cards: Vec<Message> = bot
        .api
        .bot_messages(w.group.id)
        .into_iter()
        .filter(|m| m.callback_data().contains(&take_data(1)))
        .collect();
    assert_eq!(cards.len(), 2, "the card again, in the new topic");
    assert_eq!(cards[1].thread, Some(new));
    let ticket = bot
        .handoff()
        .open_ticket_of(anna.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ticket.relay.thread, Some(new));

    bot.api
        .send_group_text(&w.group, &w.wang, Some(new), "found you");
    let got = bot.messages(anna.id, 2).await;
    assert_eq!(got[1].text, said_by_agent(bot, Lang::En, "found you"));
}

#[tokio::test]
async fn a_deleted_card_is_posted_again_on_the_next_message() {
    let w = Waiting::in_group(plain(-1_001_000_000_017)).await;
    let (bot, anna) = (&w.bot, &w.anna);
    placed_ticket(bot, anna).await;
    bot.api.delete_message(w.group.id, w.card.id);
    bot.api.send_text(anna, "hello?");
    let relayed = wait_for_copies(bot, w.group.id, anna.id, 1).await;
    let again = card(bot, w.group.id, 1).await;
    assert_ne!(again.id, w.card.id);
    assert_eq!(relayed[0].reply_to, Some(again.id));
    w.reply(again.id, "here it is");
    let got = bot.messages(anna.id, 2).await;
    assert_eq!(got[1].text, said_by_agent(bot, Lang::En, "here it is"));
}

#[tokio::test]
async fn an_answer_to_a_customer_who_blocked_the_bot_is_reported_to_the_agent() {
    let w = Waiting::in_group(forum(-1_001_000_000_018)).await;
    let bot = &w.bot;
    bot.api.block(&w.anna);
    w.answer("are you still there?");
    let undelivered = group_text(bot, "support_undelivered", &[("ticket", "T-000001")]);
    bot.api
        .wait_until("the agent told", |api| {
            api.bot_messages(w.group.id)
                .iter()
                .any(|m| m.text == undelivered && m.thread == Some(w.topic()))
        })
        .await;
}

#[tokio::test]
async fn a_group_that_becomes_a_supergroup_is_followed_with_its_cards() {
    let old = Group {
        id: -4_000_000_013,
        title: "Support".into(),
        supergroup: false,
        forum: false,
    };
    let new = plain(-1_001_000_000_013);
    let mut w = Waiting::in_group(old).await;
    w.bot.api.migrate(&w.group, &new, &w.wang);
    let card = card(&w.bot, new.id, 1).await;
    w.group = new;
    let (bot, anna) = (&w.bot, &w.anna);

    bot.api.send_text(anna, "anyone?");
    let relayed = wait_for_copies(bot, w.group.id, anna.id, 1).await;
    assert_eq!(relayed[0].reply_to, Some(card.id));
    let ticket = bot
        .handoff()
        .open_ticket_of(anna.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ticket.relay.support_chat, Some(w.group.id));

    w.reply(card.id, "we moved");
    let got = bot.messages(anna.id, 2).await;
    assert_eq!(got[1].text, said_by_agent(bot, Lang::En, "we moved"));
}

#[tokio::test]
async fn tickets_lists_the_open_tickets_with_their_agent() {
    let w = Waiting::in_group(plain(-1_001_000_000_014)).await;
    let bot = &w.bot;
    let bo = Person::new(202, Some("en"));
    open_ticket(bot, &bo, w.group.id, 2).await;
    bot.api.press(&w.wang, w.group.id, w.card.id, &take_data(1));
    bot.api.wait_for_calls("answerCallbackQuery", 1).await;

    let fields = serde_json::json!({ "text": "/tickets" });
    let asked = bot
        .api
        .send_group_message(&w.group, &w.wang, None, None, fields);
    let answer = |api: &FakeBotApi| {
        api.bot_messages(w.group.id)
            .into_iter()
            .find(|m| m.reply_to == Some(asked))
    };
    bot.api
        .wait_until("the list", |api| answer(api).is_some())
        .await;
    let list = answer(&bot.api).unwrap();
    let lines: Vec<&str> = list.text.lines().collect();
    assert_eq!(
        lines[0],
        group_text(bot, "support_tickets_header", &[("count", "2")])
    );
    assert!(lines[1].starts_with("T-000001") && lines[1].contains(WANG));
    assert!(lines[2].starts_with("T-000002"));
}

#[tokio::test]
async fn a_customer_who_stops_is_announced_and_their_topic_closed() {
    let w = Waiting::in_group(forum(-1_001_000_000_015)).await;
    let (bot, anna) = (&w.bot, &w.anna);
    bot.api.send_text(anna, "/stop");
    let got = bot.messages(anna.id, 2).await;
    assert_eq!(got[1].text, bot.content.text("queue_left", Lang::En));
    let left = group_text(bot, "support_customer_left", &[("ticket", "T-000001")]);
    bot.api
        .wait_until("the group told and the topic closed", |api| {
            api.topic_closed(w.group.id, w.topic())
                && api
                    .bot_messages(w.group.id)
                    .iter()
                    .any(|m| m.text == left && m.thread == Some(w.topic()))
        })
        .await;
}

#[tokio::test]
async fn an_answer_in_a_resolved_tickets_topic_is_not_sent_and_the_agent_is_told() {
    let w = Waiting::in_group(forum(-1_001_000_000_016)).await;
    let bot = &w.bot;
    w.answer("/resolve");
    bot.messages(w.anna.id, 2).await;

    w.answer("one more thing");
    let closed = group_text(bot, "support_ticket_closed", &[("ticket", "T-000001")]);
    bot.api
        .wait_until("the agent told", |api| {
            api.bot_messages(w.group.id)
                .iter()
                .any(|m| m.text == closed)
        })
        .await;
    assert_eq!(bot.api.bot_messages(w.anna.id).len(), 2);
}
