//! The matcher: one index per language, and the decision between answering,
//! acting, asking which one was meant, and falling back.

use super::index::{LangIndex, Query, Scope, SmallTalk};
use super::outcome::{Explanation, Match, Scored, Target};
use super::score::{rank, Candidate};
use crate::content::{ActionId, Content, Thresholds};
use crate::lang::Lang;

/// A clarify question offers the candidates whose confidence is at least
/// this share of the best one's: close enough to be what was meant.
pub const CLARIFY_SHARE: f32 = 0.75;

/// Matches messages against the content's phrasings. Built once from the
/// content; read-only afterwards, so one matcher serves every chat.
#[derive(Debug)]
pub struct Matcher {
    en: LangIndex,
    zh: LangIndex,
}

impl Matcher {
    /// Builds both languages' indexes.
    pub fn new(content: &Content) -> Matcher {
        Matcher {
            en: LangIndex::build(content, Lang::En),
            zh: LangIndex::build(content, Lang::Zh),
        }
    }

    /// Decides what `text`, written in `lang`, asks for.
    pub fn classify(&self, text: &str, lang: Lang) -> Match {
        let index = self.index(lang);
        let query = index.query(text);
        let ranked = rank(index, &query);
        decide(index, &query, &ranked)
    }

    /// Whether `text`, written in `lang`, is only a greeting or thanks.
    pub fn small_talk(&self, text: &str, lang: Lang) -> Option<SmallTalk> {
        self.index(lang).small_talk(text)
    }

    /// Decides like [`Matcher::classify`] and says why.
    pub fn explain(&self, text: &str, lang: Lang) -> Explanation {
        let index = self.index(lang);
        let query = index.query(text);
        let ranked = rank(index, &query);
        let scored = |c: &Candidate| Scored {
            target: index.targets[c.target as usize].clone(),
            phrasing: index.phrasings[c.phrasing as usize].text.clone(),
            score: c.score,
            confidence: c.confidence,
        };
        Explanation {
            lang,
            tokens: query.tokens.iter().map(|q| q.text.clone()).collect(),
            form: query.form.name(),
            scope: query.scope.name(),
            best: ranked.first().map(scored),
            runner_up: ranked.get(1).map(scored),
            outcome: decide(index, &query, &ranked),
        }
    }

    fn index(&self, lang: Lang) -> &LangIndex {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

/// The decision: a message about another product only ("a CCB loan's
/// rate") falls back, unless it asks for a human or to stop; one that names
/// Jiebei too ("my credit report for a mortgage") is matched as usual.
/// Otherwise the best target is taken when its confidence reaches `answer`,
/// it leads the runner-up by `margin`, its match includes a specific token
/// and, for an action that closes something, the message says one of its
/// verbs ("account" alone never starts a cancellation); otherwise, when it
/// reaches `clarify`, it is offered with the next ones (up to three in all)
/// whose confidence is at least [`CLARIFY_SHARE`] of its own; otherwise
/// nothing fits.
fn decide(index: &LangIndex, query: &Query, ranked: &[Candidate]) -> Match {
    let Thresholds {
        answer,
        clarify,
        margin,
    } = index.thresholds;
    let Some(top) = ranked.first() else {
        return Match::Fallback;
    };
    let for_anyone = matches!(
        index.targets[top.target as usize],
        Target::Action(ActionId::Agent | ActionId::Stop)
    );
    if query.scope == Scope::Elsewhere && !for_anyone {
        return Match::Fallback;
    }
    let runner_up = ranked.get(1).map_or(0.0, |c| c.confidence);
    let verbs = &index.verbs[top.target as usize];
    let says_verb = verbs.is_empty()
        || query
            .tokens
            .iter()
            .any(|q| q.id.is_some_and(|id| verbs.contains(&id)));
    if top.specific && says_verb && top.confidence >= answer && top.confidence - runner_up >= margin
    {
        let confidence = top.confidence;
        return match &index.targets[top.target as usize] {
            Target::Faq(id) => Match::Answer {
                id: id.clone(),
                confidence,
            },
            Target::Action(id) => Match::Action {
                id: *id,
                confidence,
            },
        };
    }
    if top.confidence >= clarify {
        let floor = CLARIFY_SHARE * top.confidence;
        let candidates = ranked
            .iter()
            .take_while(|c| c.confidence >= floor)
            .map(|c| index.targets[c.target as usize].clone())
            .collect();
        return Match::Clarify { candidates };
    }
    Match::Fallback
}
