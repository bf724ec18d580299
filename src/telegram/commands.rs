//! The command menus Telegram shows next to the input field: in private
//! chats English for everyone and Chinese for apps set to Chinese; in the
//! support group the agents' commands in the group's language.
//! Descriptions come from content (`command_<name>`).

use teloxide::prelude::*;
use teloxide::types::{BotCommand, BotCommandScope, Recipient};

use crate::content::Content;
use crate::lang::Lang;

use super::api::describe;

/// The commands the engine understands, in menu order.
pub(crate) const COMMANDS: &[&str] = &[
    "start", "help", "topics", "close", "cancel", "agent", "stop", "lang",
];

/// The commands agents use in the support group, in menu order.
pub(crate) const SUPPORT_COMMANDS: &[&str] = &["resolve", "tickets"];

/// The menu in `lang`.
pub(crate) fn menu(content: &Content, lang: Lang) -> Vec<BotCommand> {
    menu_of(COMMANDS, content, lang)
}

fn menu_of(commands: &[&str], content: &Content, lang: Lang) -> Vec<BotCommand> {
    commands
        .iter()
        .map(|name| {
            let key = format!("command_{name}");
            if !content.texts.contains_key(&key) {
                // `Content::text` shows a missing key as the key itself.
                tracing::warn!(%key, "content has no text for this menu entry");
            }
            BotCommand::new(*name, content.text(&key, lang))
        })
        .collect()
}

/// Registers both menus; a failure is logged, not fatal (the bot works
/// without a menu, and the next start tries again).
pub(crate) async fn register(bot: &Bot, content: &Content) {
    for (lang, code) in [(Lang::En, None), (Lang::Zh, Some("zh"))] {
        let mut request = bot
            .set_my_commands(menu(content, lang))
            .scope(BotCommandScope::AllPrivateChats);
        if let Some(code) = code {
            request = request.language_code(code);
        }
        if let Err(e) = request.await {
            let error = describe(&e, bot.token());
            tracing::warn!(lang = lang.code(), %error, "cannot register the command menu");
        }
    }
}

/// Registers the agents' menu in the support group `chat`; a failure is
/// logged, not fatal.
pub(crate) async fn register_support(bot: &Bot, content: &Content, chat: i64, lang: Lang) {
    let scope = BotCommandScope::Chat {
        chat_id: Recipient::Id(ChatId(chat)),
    };
    let request = bot
        .set_my_commands(menu_of(SUPPORT_COMMANDS, content, lang))
        .scope(scope);
    if let Err(e) = request.await {
        let error = describe(&e, bot.token());
        tracing::warn!(chat, %error, "cannot register the support group's command menu");
    }
}
