//! The customer's side of a ticket as the group sees it: a new ticket's
//! card, the customer's messages copied in order, and their leaving.

use std::sync::Arc;

use crate::engine::TicketEvent;
use crate::handoff::Ticket;

use super::relay::{thread_of, Desk, Post};

impl Desk {
    /// Does in the group what the engine's turn asked: `message` is the
    /// customer's message that turn read, when it was a message.
    pub(crate) async fn on_ticket(self: &Arc<Self>, event: TicketEvent, message: Option<i32>) {
        match event {
            TicketEvent::Opened(ticket) => {
                if let Err(e) = self.deliver(ticket.id, Post::Card).await {
                    let error = self.api.describe(&e);
                    tracing::error!(ticket = %ticket.id, %error, "cannot post the ticket's card; trying again on the customer's next message");
                }
            }
            TicketEvent::Relay(ticket) => {
                let Some(message) = message else {
                    return;
                };
                let post = Post::Copy {
                    from_chat: ticket.chat,
                    message,
                };
                match self.deliver(ticket.id, post).await {
                    Ok(Some((place, copy))) => {
                        let linked = self
                            .handoff
                            .link_message(ticket.id, place.chat, copy.into())
                            .await;
                        if let Err(e) = linked {
                            tracing::error!(ticket = %ticket.id, error = %e, "cannot store a relayed message");
                        }
                    }
                    Ok(None) => {}
                    Err(e) => {
                        let error = self.api.describe(&e);
                        tracing::error!(ticket = %ticket.id, %error, "cannot relay the customer's message to the support group");
                    }
                }
            }
            TicketEvent::Left(ticket) => self.left(ticket).await,
        }
    }

    /// The customer sent `/stop`: tell the group, if the ticket is there,
    /// and close its card and topic.
    async fn left(self: &Arc<Self>, ticket: Ticket) {
        if ticket.relay.support_chat != Some(self.chat()) {
            return;
        }
        let id = ticket.id.to_string();
        let text =
            self.engine
                .content()
                .text_with("support_customer_left", self.lang, &[("ticket", &id)]);
        if let Err(e) = self.deliver(ticket.id, Post::Notice(&text)).await {
            let error = self.api.describe(&e);
            tracing::warn!(ticket = %ticket.id, %error, "cannot tell the group the customer left");
        }
        self.close(ticket.id).await;
    }

    /// Shows the ticket as resolved on its card and closes its topic.
    pub(super) async fn close(&self, id: crate::handoff::TicketId) {
        let ticket = match self.handoff.by_id(id).await {
            Ok(Some(t)) => t,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(ticket = %id, error = %e, "cannot read a ticket");
                return;
            }
        };
        let chat = self.chat();
        if ticket.relay.support_chat != Some(chat) {
            return;
        }
        if let Some(card) = ticket
            .relay
            .card_message
            .and_then(|c| i32::try_from(c).ok())
        {
            let buttons = super::card::buttons(self.engine.content(), self.lang, &ticket);
            if let Err(e) = self.api.set_buttons(chat, card, buttons).await {
                let error = self.api.describe(&e);
                tracing::warn!(ticket = %id, %error, "cannot mark the card resolved");
            }
        }
        if let Some(thread) = thread_of(&ticket) {
            if let Err(e) = self.api.set_topic_open(chat, thread, false).await {
                let error = self.api.describe(&e);
                tracing::warn!(ticket = %id, %error, "cannot close the ticket's topic");
            }
        }
    }
}
