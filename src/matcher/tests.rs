//! What customers see from the matcher on the shipped content.

use std::sync::OnceLock;

use super::*;
use crate::content::{ActionId, Content};
use crate::lang::Lang;

fn content() -> &'static Content {
    static CONTENT: OnceLock<Content> = OnceLock::new();
    CONTENT.get_or_init(|| Content::builtin().expect("the shipped content loads"))
}

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| Matcher::new(content()))
}

fn answer_id(text: &str, lang: Lang) -> Option<String> {
    match matcher().classify(text, lang) {
        Match::Answer { id, .. } => Some(id.to_string()),
        _ => None,
    }
}

fn action_id(text: &str, lang: Lang) -> Option<ActionId> {
    match matcher().classify(text, lang) {
        Match::Action { id, .. } => Some(id),
        _ => None,
    }
}

fn is_confident(m: &Match) -> bool {
    matches!(m, Match::Answer { .. } | Match::Action { .. })
}

#[test]
fn how_do_i_close_jiebei_is_answered_with_the_how_to_entry() {
    assert_eq!(
        answer_id("How do I close Jiebei?", Lang::En).as_deref(),
        Some("how-to-turn-off")
    );
    assert_eq!(
        answer_id("怎么关闭借呗？", Lang::Zh).as_deref(),
        Some("how-to-turn-off")
    );
}

#[test]
fn close_my_jiebei_is_the_turn_off_action() {
    assert_eq!(
        action_id("close my Jiebei", Lang::En),
        Some(ActionId::TurnOff)
    );
    assert_eq!(action_id("帮我关闭借呗", Lang::Zh), Some(ActionId::TurnOff));
}

#[test]
fn asking_to_deregister_is_the_cancel_action() {
    assert_eq!(
        action_id("cancel my jiebei account", Lang::En),
        Some(ActionId::Cancel)
    );
    assert_eq!(action_id("注销借呗", Lang::Zh), Some(ActionId::Cancel));
}

#[test]
fn asking_for_a_person_is_the_agent_action() {
    assert_eq!(
        action_id("I want to talk to a human", Lang::En),
        Some(ActionId::Agent)
    );
    assert_eq!(action_id("转人工", Lang::Zh), Some(ActionId::Agent));
}

#[test]
fn asking_to_stop_is_the_stop_action_not_turning_off() {
    assert_eq!(action_id("stop", Lang::En), Some(ActionId::Stop));
    assert_eq!(action_id("never mind", Lang::En), Some(ActionId::Stop));
    assert_eq!(action_id("算了", Lang::Zh), Some(ActionId::Stop));
}

#[test]
fn polite_filler_alone_never_triggers_an_action() {
    for (text, lang) in [("help", Lang::En), ("I want", Lang::En), ("帮我", Lang::Zh)] {
        let outcome = matcher().classify(text, lang);
        assert!(!is_confident(&outcome), "{text:?} got {outcome:?}");
    }
}

#[test]
fn a_misspelled_jiebei_still_finds_the_how_to_answer() {
    assert_eq!(
        answer_id("how do i clsoe jeibei", Lang::En).as_deref(),
        Some("how-to-turn-off")
    );
}

#[test]
fn the_seed_typo_zibai_and_pinyin_zhima_fen_still_find_the_credit_score_entry() {
    let id = answer_id("will closing Zibai affect my zhima fen", Lang::En);
    assert_eq!(id.as_deref(), Some("zhima-credit-impact"));
}

#[test]
fn a_misspelled_cancel_is_still_a_cancel_request() {
    assert_eq!(
        action_id("cancell my jiebei account", Lang::En),
        Some(ActionId::Cancel)
    );
}

#[test]
fn a_chinese_question_about_zhima_is_answered() {
    let id = answer_id("关掉借呗会影响芝麻分吗", Lang::Zh);
    assert_eq!(id.as_deref(), Some("zhima-credit-impact"));
}

#[test]
fn chinese_full_width_punctuation_and_spacing_do_not_matter() {
    assert_eq!(
        matcher().classify("怎么 关闭 借呗 ？", Lang::Zh),
        matcher().classify("怎么关闭借呗?", Lang::Zh)
    );
}

#[test]
fn out_of_domain_messages_fall_back() {
    for (text, lang) in [
        ("what's the weather tomorrow", Lang::En),
        ("tell me a joke", Lang::En),
        ("how to open Huabei", Lang::En),
        ("change my Alipay password", Lang::En),
        ("花呗怎么开通", Lang::Zh),
        ("明天天气怎么样", Lang::Zh),
        ("给我讲个笑话", Lang::Zh),
    ] {
        assert_eq!(matcher().classify(text, lang), Match::Fallback, "{text:?}");
    }
}

#[test]
fn messages_about_other_alipay_services_never_get_a_confident_answer() {
    for (text, lang) in [
        ("can I increase my huabei credit line", Lang::En),
        ("what is the euro exchange rate", Lang::En),
        ("reset my alipay login password", Lang::En),
        ("花呗怎么提额", Lang::Zh),
        ("支付宝登录密码怎么重置", Lang::Zh),
    ] {
        let outcome = matcher().classify(text, lang);
        assert!(!is_confident(&outcome), "{text:?} got {outcome:?}");
    }
}

#[test]
fn the_product_name_alone_asks_which_one_was_meant() {
    for (text, lang) in [("jiebei", Lang::En), ("借呗", Lang::Zh)] {
        let outcome = matcher().classify(text, lang);
        assert!(
            matches!(outcome, Match::Clarify { .. }),
            "{text:?} got {outcome:?}"
        );
    }
}

#[test]
fn a_clarify_offers_two_or_three_distinct_targets() {
    let Match::Clarify { candidates } = matcher().classify("jiebei", Lang::En) else {
        panic!("expected a clarify");
    };
    assert!((2..=3).contains(&candidates.len()), "{candidates:?}");
    for (i, c) in candidates.iter().enumerate() {
        assert!(!candidates[..i].contains(c), "{candidates:?}");
    }
}

#[test]
fn an_empty_or_symbol_only_message_falls_back() {
    for text in ["", "   ", "?!", "🙂🙂", "\u{200B}"] {
        assert_eq!(matcher().classify(text, Lang::En), Match::Fallback);
        assert_eq!(matcher().classify(text, Lang::Zh), Match::Fallback);
    }
}

#[test]
fn confidences_stay_between_zero_and_one() {
    for text in [
        "How do I close Jiebei?",
        "close my jiebei",
        "jiebei jiebei jiebei zhima",
    ] {
        let e = matcher().explain(text, Lang::En);
        for s in e.best.iter().chain(&e.runner_up) {
            assert!((0.0..=1.0).contains(&s.confidence), "{s:?}");
        }
    }
}

#[test]
fn explain_shows_the_tokens_the_phrasing_and_the_runner_up() {
    let e = matcher().explain("How do I clsoe Jiebei?", Lang::En);
    assert_eq!(e.lang, Lang::En);
    assert!(e.tokens.contains(&"jiebei".to_string()), "{:?}", e.tokens);
    let best = e.best.expect("a best candidate");
    assert_eq!(best.target.to_string(), "how-to-turn-off");
    assert!(!best.phrasing.is_empty());
    let runner_up = e.runner_up.expect("a runner-up");
    assert_ne!(runner_up.target, best.target);
    assert!(runner_up.confidence <= best.confidence);
    assert_eq!(
        e.outcome,
        matcher().classify("How do I clsoe Jiebei?", Lang::En)
    );
}

#[test]
fn explain_serialises_targets_as_the_dev_set_spells_them() {
    let e = matcher().explain("close my jiebei", Lang::En);
    let json = serde_json::to_value(&e).expect("serialises");
    assert_eq!(json["best"]["target"], "action:turn-off");
    assert_eq!(json["outcome"]["kind"], "action");
    assert_eq!(json["outcome"]["id"], "turn-off");
}

#[test]
fn a_message_is_only_read_up_to_its_first_thousand_characters() {
    let tail = " zhima".repeat(2_000);
    let long = format!("{}{tail}", "x ".repeat(MAX_CHARS));
    assert_eq!(matcher().classify(&long, Lang::En), Match::Fallback);
}

#[test]
fn the_shipped_content_has_no_phrasings_the_matcher_cannot_tell_apart() {
    let same: Vec<_> = near_duplicates(content())
        .into_iter()
        .filter(|d| d.similarity >= 1.0)
        .collect();
    assert!(same.is_empty(), "{same:#?}");
}

fn form_of(text: &str, lang: Lang) -> &'static str {
    matcher().explain(text, lang).form
}

#[test]
fn a_clause_opened_by_an_auxiliary_is_a_question_without_a_question_mark() {
    assert_eq!(
        form_of("does disabling jiebei also delete the account", Lang::En),
        "question"
    );
    assert_eq!(
        form_of("ok so where is the setting to switch off jiebei", Lang::En),
        "question"
    );
    assert_eq!(form_of("借呗的问题该找哪个客服", Lang::Zh), "question");
}

#[test]
fn a_clause_opened_by_a_verb_or_please_is_a_request() {
    assert_eq!(
        form_of("close my jiebei account please", Lang::En),
        "request"
    );
    assert_eq!(form_of("please deregister my jiebei", Lang::En), "request");
    assert_eq!(form_of("帮我注销借呗", Lang::Zh), "request");
}

#[test]
fn the_last_clause_decides_what_a_long_message_asks_for() {
    // A story, then a question: the customer asks how, not to act now.
    let text = "ok so i paid off everything already and now i want to get rid of \
                jiebei completely, what's the procedure to deregister it?";
    assert_eq!(form_of(text, Lang::En), "question");
    assert_eq!(answer_id(text, Lang::En).as_deref(), Some("how-to-cancel"));
    // A question, then the request: act.
    let text = "how long does it take? just cancel my jiebei account";
    assert_eq!(form_of(text, Lang::En), "request");
}

#[test]
fn a_question_mark_makes_a_question_of_the_request_it_follows() {
    assert_eq!(
        form_of("cancel jiebei? my credit report", Lang::En),
        "question"
    );
    assert_eq!(form_of("注销借呗？", Lang::Zh), "question");
}

#[test]
fn a_closure_action_needs_its_verb_so_a_bare_noun_only_asks() {
    for text in ["account", "my jiebei account"] {
        let m = matcher().classify(text, Lang::En);
        assert!(
            !matches!(m, Match::Action { .. }),
            "{text:?} must not start a flow: {m:?}"
        );
    }
    let m = matcher().classify("account", Lang::En);
    assert!(
        matches!(&m, Match::Clarify { candidates } if candidates.contains(&Target::Action(ActionId::Cancel))),
        "\"account\" offers cancelling among the choices: {m:?}"
    );
    assert_eq!(
        action_id("cancel my jiebei account", Lang::En),
        Some(ActionId::Cancel)
    );
    assert_eq!(action_id("帮我注销借呗", Lang::Zh), Some(ActionId::Cancel));
}

#[test]
fn only_a_whole_greeting_or_thanks_is_small_talk() {
    let m = matcher();
    assert_eq!(m.small_talk("Hi!", Lang::En), Some(SmallTalk::Greeting));
    assert_eq!(
        m.small_talk("ok thanks a lot", Lang::En),
        Some(SmallTalk::Thanks)
    );
    assert_eq!(m.small_talk("您好", Lang::Zh), Some(SmallTalk::Greeting));
    assert_eq!(
        m.small_talk("非常感谢！", Lang::Zh),
        Some(SmallTalk::Thanks)
    );
    for text in [
        "hi, close my jiebei",
        "this isn't helping",
        "high interest",
        "thanksgiving",
    ] {
        assert_eq!(m.small_talk(text, Lang::En), None, "{text}");
    }
    assert_eq!(m.small_talk("客服在吗", Lang::Zh), None);
}

#[test]
fn a_message_about_another_product_is_not_answered_from_jiebei_content() {
    for (text, lang) in [
        ("what's the interest rate on a CCB personal loan", Lang::En),
        ("close my credit card", Lang::En),
        ("工商银行的房贷利率多少", Lang::Zh),
        ("信用卡怎么注销", Lang::Zh),
    ] {
        let m = matcher().classify(text, lang);
        assert_eq!(m, Match::Fallback, "{text}");
    }
    // Naming Jiebei too keeps the question in scope; asking for a human is
    // always understood.
    assert_eq!(
        answer_id("借呗的利率比信用卡高吗", Lang::Zh).as_deref(),
        Some("interest-rate")
    );
    assert_eq!(
        action_id("talk to a human about my credit card", Lang::En),
        Some(ActionId::Agent)
    );
}
