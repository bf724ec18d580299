//! The `jiebei-bot` binary: parses flags and wires the library together.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use jiebei_bot::accounts::AccountsCmd;
use jiebei_bot::config::CommonArgs;
use jiebei_bot::content::Content;
use jiebei_bot::engine::Engine;
use jiebei_bot::eval;
use jiebei_bot::handoff::{Handoff, TicketsCmd};
use jiebei_bot::lang::{self, Lang};
use jiebei_bot::matcher::{self, Match, Matcher};
use jiebei_bot::telegram::{TelegramArgs, TelegramSettings};
use serde_json::json;

/// A support bot for closing or cancelling an Ant Jiebei account.
#[derive(Debug, Parser)]
#[command(name = "jiebei-bot", version, about)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,

    #[command(flatten)]
    telegram: TelegramArgs,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the Telegram bot (long polling, or a webhook with --webhook-url).
    Run,
    /// Chat with the bot in this terminal (buttons are numbered choices).
    Chat(ChatArgs),
    /// Classify questions and print JSON.
    Ask(AskArgs),
    /// Measure the matcher on a labelled TSV file.
    Eval(EvalArgs),
    /// Load and check the content, print a summary and warnings.
    Check,
    /// Manage the built-in account ledger.
    #[command(subcommand)]
    Accounts(AccountsCmd),
    /// Tickets waiting for (or handled by) a human agent.
    #[command(subcommand)]
    Tickets(TicketsCmd),
    /// Questions the bot could not answer, grouped, most frequent first.
    Unanswered {
        /// Only questions from the last DAYS days.
        #[arg(long, value_name = "DAYS")]
        since: Option<u32>,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print the audit log of executed closure actions.
    Audit {
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Default, clap::Args)]
struct ChatArgs {
    /// Play the support group: see tickets, take them, reply, resolve
    /// (run beside `chat --with-agent` on the same database).
    #[arg(long, conflicts_with = "with_agent")]
    as_agent: bool,
    /// Hand requests for a human to `chat --as-agent` in another terminal
    /// and show its replies here.
    #[arg(long)]
    with_agent: bool,
}

#[derive(Debug, clap::Args)]
struct AskArgs {
    /// Language of the question (default: from its script).
    #[arg(long)]
    lang: Option<Lang>,
    /// Read one question per line on stdin, write one JSON object per line.
    #[arg(long, conflicts_with = "text")]
    jsonl: bool,
    /// Add why: tokens, best phrasing and its score, the runner-up.
    #[arg(long)]
    explain: bool,
    /// The question.
    #[arg(required_unless_present = "jsonl")]
    text: Vec<String>,
}

#[derive(Debug, clap::Args)]
struct EvalArgs {
    /// TSV file: expected<TAB>lang<TAB>text.
    file: PathBuf,
    /// Exit non-zero when any language's in-domain accuracy is below this (0 to 1).
    #[arg(long)]
    min_accuracy: Option<f64>,
    /// Exit non-zero when the share of confident answers on `none` lines is above this (0 to 1).
    #[arg(long)]
    max_false_answers: Option<f64>,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let content = cli
        .common
        .load_content()
        .map_err(|e| anyhow::anyhow!("invalid content:\n{e}"))?;
    match cli.command {
        None if std::env::var_os("TELOXIDE_TOKEN").is_some() => {
            telegram(&cli.common, &cli.telegram, content).await
        }
        None => {
            eprintln!("No TELOXIDE_TOKEN set: chatting in this terminal. Set TELOXIDE_TOKEN to a token from @BotFather to run on Telegram (see the README).");
            chat(&cli.common, content, ChatArgs::default()).await
        }
        Some(Command::Run) => telegram(&cli.common, &cli.telegram, content).await,
        Some(Command::Chat(args)) => chat(&cli.common, content, args).await,
        Some(Command::Ask(args)) => ask(content, args),
        Some(Command::Eval(args)) => evaluate(content, args),
        Some(Command::Check) => check(&cli.common, content),
        Some(Command::Accounts(cmd)) => {
            let store = cli.common.open_store().await?;
            let mut out = std::io::stdout();
            jiebei_bot::accounts::run_accounts(&store, cmd, &mut out).await?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Tickets(cmd)) => {
            let handoff = Handoff::new(cli.common.open_store().await?);
            let mut out = std::io::stdout();
            jiebei_bot::handoff::run_tickets(&handoff, cmd, &mut out).await?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Unanswered { since, json }) => {
            let handoff = Handoff::new(cli.common.open_store().await?);
            let matcher = Matcher::new(&content);
            let mut out = std::io::stdout();
            jiebei_bot::handoff::run_unanswered(
                &handoff, &matcher, &content, since, json, &mut out,
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Audit { json }) => {
            let store = cli.common.open_store().await?;
            let mut out = std::io::stdout();
            jiebei_bot::accounts::run_audit(&store, json, &mut out).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn telegram(
    common: &CommonArgs,
    args: &TelegramArgs,
    content: Content,
) -> anyhow::Result<ExitCode> {
    let settings = TelegramSettings::from_env(args)?;
    let engine_settings = common.engine_settings(&content);
    let store = common.open_store().await?;
    let accounts = common.account_service(store.clone())?;
    let handoff = Handoff::new(store.clone());
    // With a support group, an open ticket's messages go to the agents;
    // without one, the customer is given the official service channel.
    let relay = settings.support.is_some();
    let engine = Engine::new(content, Arc::new(store.clone()), accounts, engine_settings)
        .with_handoff(handoff.clone(), relay);
    jiebei_bot::telegram::run_with_tickets(
        settings,
        engine,
        handoff,
        Arc::new(store),
        jiebei_bot::telegram::shutdown_signal(),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

async fn chat(common: &CommonArgs, content: Content, args: ChatArgs) -> anyhow::Result<ExitCode> {
    let settings = common.engine_settings(&content);
    let store = common.open_store().await?;
    let handoff = Handoff::new(store.clone());
    let stdin = tokio::io::BufReader::new(tokio::io::stdin());
    let mut out = std::io::stdout();
    if args.as_agent {
        jiebei_bot::console::run_agent(&handoff, stdin, &mut out)
            .await
            .context("agent terminal failed")?;
        return Ok(ExitCode::SUCCESS);
    }
    let accounts = common.account_service(store.clone())?;
    let engine = Engine::new(content, Arc::new(store), accounts, settings)
        .with_handoff(handoff.clone(), args.with_agent);
    let options = jiebei_bot::console::Options {
        greet: true,
        prompt: std::io::stdin().is_terminal(),
        agent: args.with_agent.then_some(handoff),
    };
    jiebei_bot::console::run(&engine, stdin, &mut out, options)
        .await
        .context("terminal chat failed")?;
    Ok(ExitCode::SUCCESS)
}

fn ask(content: Content, args: AskArgs) -> anyhow::Result<ExitCode> {
    let matcher = Matcher::new(&content);
    let one = |text: &str| -> serde_json::Value {
        let lang = args
            .lang
            .unwrap_or_else(|| lang::detect_script(text).unwrap_or(Lang::En));
        let explanation = args.explain.then(|| matcher.explain(text, lang));
        let outcome = match &explanation {
            Some(e) => e.outcome.clone(),
            None => matcher.classify(text, lang),
        };
        let mut v = match outcome {
            Match::Answer { id, confidence } => {
                json!({"kind": "answer", "id": id, "confidence": round2(confidence)})
            }
            Match::Action { id, confidence } => {
                json!({"kind": "action", "id": id, "confidence": round2(confidence)})
            }
            Match::Clarify { candidates } => {
                let c: Vec<String> = candidates.iter().map(ToString::to_string).collect();
                json!({"kind": "clarify", "candidates": c})
            }
            Match::Fallback => json!({"kind": "fallback"}),
        };
        v["lang"] = json!(lang);
        if let Some(e) = explanation {
            v["explain"] = json!({
                "lang": e.lang,
                "tokens": e.tokens,
                "form": e.form,
                "scope": e.scope,
                "best": e.best,
                "runner_up": e.runner_up,
            });
        }
        v
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.jsonl {
        for line in std::io::stdin().lock().lines() {
            let line = line.context("cannot read stdin")?;
            writeln!(out, "{}", one(&line))?;
            out.flush()?;
        }
    } else {
        writeln!(out, "{}", one(&args.text.join(" ")))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn round2(x: f32) -> f64 {
    (f64::from(x) * 100.0).round() / 100.0
}

fn evaluate(content: Content, args: EvalArgs) -> anyhow::Result<ExitCode> {
    let tsv = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let cases = eval::parse_cases(&tsv).with_context(|| format!("{}", args.file.display()))?;
    let matcher = Matcher::new(&content);
    let report = eval::evaluate(&matcher, &cases);
    print!("{}", report.render());
    let mut ok = true;
    if let Some(min) = args.min_accuracy {
        if report.min_accuracy() < min {
            println!(
                "FAIL: in-domain accuracy {:.3} is below {min}",
                report.min_accuracy()
            );
            ok = false;
        }
    }
    if let Some(max) = args.max_false_answers {
        if report.max_false_answer_rate() > max {
            println!(
                "FAIL: confident answers on out-of-domain lines {:.3} is above {max}",
                report.max_false_answer_rate()
            );
            ok = false;
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn check(common: &CommonArgs, content: Content) -> anyhow::Result<ExitCode> {
    let source = match &common.content {
        Some(dir) => dir.display().to_string(),
        None => "built-in content".to_string(),
    };
    println!("{source}: OK");
    for lang in Lang::ALL {
        let phrasings: usize = content
            .faqs
            .iter()
            .map(|f| 1 + f.text.get(lang).alternates.len())
            .sum::<usize>()
            + content
                .intents
                .iter()
                .map(|i| i.examples.get(lang).len())
                .sum::<usize>();
        println!(
            "  {lang}: {} FAQ entries, {} intents, {phrasings} phrasings, {} synonym groups",
            content.faqs.len(),
            content.intents.len(),
            content.matcher.synonyms.get(lang).len()
        );
    }
    println!(
        "  {} hot topics (window {} days), {} texts",
        content.topics.len(),
        content.topic_window_days,
        content.texts.len()
    );
    let mut warnings = 0;
    for f in &content.faqs {
        for lang in Lang::ALL {
            let n = f.text.get(lang).alternates.len();
            if n < 6 {
                warnings += 1;
                println!("warning: entry `{}`: field `{lang}.alternates`: only {n} phrasings; 6 or more match better", f.id);
            }
        }
    }
    for d in matcher::near_duplicates(&content) {
        warnings += 1;
        println!(
            "warning: {}: `{}` ({}) and `{}` ({}) are nearly identical ({:.2}); customers asking this may get either",
            d.lang, d.a_phrasing, d.a, d.b_phrasing, d.b, d.similarity
        );
    }
    if warnings > 0 {
        println!("{warnings} warning(s)");
    }
    if content.faqs.is_empty() {
        bail!("no FAQ entries");
    }
    Ok(ExitCode::SUCCESS)
}
