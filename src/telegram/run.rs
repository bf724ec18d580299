//! Starting and stopping the bot: check the token (and the support group),
//! register the menus, run teloxide's dispatcher on long polling or a
//! webhook until the shutdown future resolves, then let the updates in
//! flight finish.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use teloxide::dispatching::{Dispatcher, ShutdownToken, UpdateFilterExt};
use teloxide::error_handlers::ErrorHandler;
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, Update};
use teloxide::update_listeners::{webhooks, Polling};
use teloxide::{ApiError, RequestError};

use crate::engine::Engine;
use crate::handoff::Handoff;

use super::api::{describe, Api};
use super::commands;
use super::desk::Desk;
use super::error::TelegramError;
use super::front::Front;
use super::settings::{Mode, TelegramSettings};
use super::updates_log::UpdateLog;

/// How long one `getUpdates` call waits for news (below the HTTP client's
/// 17-second timeout, as teloxide requires).
const POLL_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the bot until `shutdown` resolves, then stops taking updates,
/// finishes the ones in flight and returns. Without tickets: a support
/// group in `settings` is an error here (see [`run_with_tickets`]).
///
/// `updates` remembers handled update ids so a redelivered update is
/// handled once (the database in production, memory in tests).
pub async fn run<F>(
    settings: TelegramSettings,
    engine: Engine,
    updates: Arc<dyn UpdateLog>,
    shutdown: F,
) -> Result<(), TelegramError>
where
    F: Future<Output = ()> + Send + 'static,
{
    serve(settings, engine, None, updates, shutdown).await
}

/// [`run`] with the tickets in `handoff`: when `settings` names a support
/// group, new tickets are posted there and messages relayed both ways.
/// The engine must have been given the same tickets, relaying when there
/// is a support group (`Engine::with_handoff(handoff, true)`).
pub async fn run_with_tickets<F>(
    settings: TelegramSettings,
    engine: Engine,
    handoff: Handoff,
    updates: Arc<dyn UpdateLog>,
    shutdown: F,
) -> Result<(), TelegramError>
where
    F: Future<Output = ()> + Send + 'static,
{
    serve(settings, engine, Some(handoff), updates, shutdown).await
}

async fn serve<F>(
    settings: TelegramSettings,
    engine: Engine,
    handoff: Option<Handoff>,
    updates: Arc<dyn UpdateLog>,
    shutdown: F,
) -> Result<(), TelegramError>
where
    F: Future<Output = ()> + Send + 'static,
{
    if settings.support.is_some() && handoff.is_none() {
        return Err(TelegramError::Config {
            what: "support group",
            why: "relaying tickets needs the ticket store (telegram::run_with_tickets)".into(),
        });
    }
    let (bot, username) = connect(&settings).await?;
    commands::register(&bot, engine.content()).await;
    let api = Api::new(bot.clone(), settings.limits);
    let desk = match (settings.support, handoff) {
        (Some(support), Some(handoff)) => {
            let desk = Arc::new(Desk::new(
                engine.clone(),
                api.clone(),
                handoff,
                support.chat,
                support.lang,
                username,
            ));
            desk.check().await;
            commands::register_support(&bot, engine.content(), desk.chat(), support.lang).await;
            Some(desk)
        }
        _ => None,
    };
    let front = Arc::new(Front {
        engine,
        api,
        updates,
        desk,
    });

    let handler = dptree::entry()
        .branch(Update::filter_message().endpoint(on_update))
        .branch(Update::filter_callback_query().endpoint(on_update));
    let mut dispatcher = Dispatcher::builder(bot.clone(), handler)
        .dependencies(dptree::deps![front])
        .default_handler(|update| async move {
            tracing::debug!(
                update_id = update.id.0,
                "update of a kind the bot does not read"
            );
        })
        .build();
    let stopper = tokio::spawn(stop_on(shutdown, dispatcher.shutdown_token()));
    let token = settings.token.clone();
    let errors = Arc::new(ListenerErrors {
        token: token.clone(),
    });

    let result = match settings.mode {
        Mode::Polling => {
            let listener = Polling::builder(bot.clone())
                .timeout(POLL_TIMEOUT)
                .delete_webhook()
                .await
                .build();
            tracing::info!("receiving updates by long polling");
            dispatcher
                .try_dispatch_with_listener(listener, errors)
                .await
        }
        Mode::Webhook {
            url,
            listen,
            secret,
        } => {
            let tcp = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|source| TelegramError::Listen {
                    addr: listen,
                    source,
                })?;
            bot.set_webhook(url.clone())
                .secret_token(secret.clone())
                .allowed_updates([AllowedUpdate::Message, AllowedUpdate::CallbackQuery])
                .await
                .map_err(|e| start_error(&e, &token))?;
            // `axum_no_setup`, not `axum`: the webhook stays registered when
            // this process stops, so Telegram keeps updates for the next
            // start or for the other replicas behind the same URL.
            let options = webhooks::Options::new(listen, url).secret_token(secret);
            let (listener, stopped, router) = webhooks::axum_no_setup(options);
            let server = tokio::spawn(async move {
                axum::serve(tcp, router)
                    .with_graceful_shutdown(stopped)
                    .await
            });
            tracing::info!(%listen, "receiving updates by webhook");
            let result = dispatcher
                .try_dispatch_with_listener(listener, errors)
                .await;
            match server.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "webhook server failed"),
                Err(e) => tracing::error!(error = %e, "webhook server task failed"),
            }
            result
        }
    };
    stopper.abort();
    result.map_err(|e| start_error(&e, &token))?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM: what `run` should stop on in
/// production. teloxide's own handler covers only SIGINT.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received; stopping"),
        () = terminate => tracing::info!("SIGTERM received; stopping"),
    }
}

/// The bot for `settings`, with its token checked by `getMe`, and its
/// username.
async fn connect(settings: &TelegramSettings) -> Result<(Bot, String), TelegramError> {
    let mut client = teloxide::net::default_reqwest_settings();
    if let Some(proxy) = &settings.proxy {
        let proxy = reqwest::Proxy::all(proxy).map_err(|e| TelegramError::Config {
            what: "TELOXIDE_PROXY",
            why: e.to_string(),
        })?;
        client = client.proxy(proxy);
    }
    let client = client.build().map_err(|e| TelegramError::Config {
        what: "HTTP client",
        why: e.to_string(),
    })?;
    let bot =
        Bot::with_client(settings.token.clone(), client).set_api_url(settings.api_url.clone());
    let me = bot
        .get_me()
        .await
        .map_err(|e| start_error(&e, &settings.token))?;
    tracing::info!(bot = %me.username(), "connected to the Bot API");
    let username = me.username().to_string();
    Ok((bot, username))
}

fn start_error(err: &RequestError, token: &str) -> TelegramError {
    match err {
        RequestError::Api(ApiError::InvalidToken) => TelegramError::InvalidToken,
        e => TelegramError::Api(describe(e, token)),
    }
}

/// The dispatcher's one endpoint for every update it reads.
async fn on_update(update: Update, front: Arc<Front>) -> Result<(), Infallible> {
    front.handle(update).await;
    Ok(())
}

/// Asks the dispatcher to stop once `shutdown` resolves (retrying while
/// it has not started yet).
async fn stop_on<F: Future<Output = ()>>(shutdown: F, token: ShutdownToken) {
    shutdown.await;
    tracing::info!("stopping: finishing the updates in flight");
    while token.shutdown().is_err() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Logs update-listener errors (a failed `getUpdates`) without the token;
/// the listener itself waits and tries again.
struct ListenerErrors {
    token: String,
}

impl ErrorHandler<RequestError> for ListenerErrors {
    fn handle_error(
        self: Arc<Self>,
        error: RequestError,
    ) -> futures_util::future::BoxFuture<'static, ()> {
        let error = describe(&error, &self.token);
        tracing::warn!(%error, "cannot get updates; retrying");
        Box::pin(async {})
    }
}

impl ErrorHandler<Infallible> for ListenerErrors {
    fn handle_error(
        self: Arc<Self>,
        error: Infallible,
    ) -> futures_util::future::BoxFuture<'static, ()> {
        match error {}
    }
}
