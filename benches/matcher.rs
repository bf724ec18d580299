//! Matcher timings: classify on the shipped content and on generated
//! knowledge bases of 1,000 and 10,000 entries, a 100 KB message, and
//! loading plus indexing the content.
//!
//! Run with `cargo bench --bench matcher`. Goals: median classify ≤ 20 µs on
//! the shipped content and ≤ 500 µs at 10,000 entries; load + index ≤ 50 ms.
//!
//! The Chinese segmenter's dictionary is loaded once per process, on the
//! first index build; it is warmed up before measuring, so "load + index"
//! measures what a content reload costs, not process start.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use jiebei_bot::content::{Content, Faq, FaqId, FaqText, PerLang};
use jiebei_bot::lang::Lang;
use jiebei_bot::matcher::Matcher;

/// Messages like the ones customers send, both languages, with typos,
/// pinyin, rambling and out-of-domain ones.
const ENGLISH: &[&str] = &[
    "How do I close Jiebei?",
    "close my jiebei",
    "will closing zibai affect my zhima credit score",
    "cancell my jeibei account",
    "can i still see my bills after i turn it off",
    "hey, i don't use jiebei anymore and i keep getting tempted to borrow. how do i shut it off?",
    "what's the weather tomorrow",
    "how to open Huabei",
    "talk to a human please",
    "jiebei zenme guanbi",
];

const CHINESE: &[&str] = &[
    "怎么关闭借呗？",
    "帮我关闭借呗",
    "关掉借呗会影响芝麻分吗",
    "注销借呗以后额度还能恢复吗",
    "我还有欠款没还清，能注销吗",
    "我不想用借呗了，老是忍不住借钱，请问在哪里可以把它关掉？",
    "花呗怎么开通",
    "今天天气怎么样",
    "转人工",
    "jiebei关闭后征信记录还在吗",
];

fn shipped() -> Content {
    Content::builtin().expect("the shipped content loads")
}

/// Classifies the messages in turn, one per iteration.
fn bench_messages(c: &mut Criterion, group: &str, matcher: &Matcher, sets: &[(Lang, &[String])]) {
    let mut g = c.benchmark_group(group);
    for (lang, messages) in sets {
        let mut i = 0;
        g.bench_function(lang.code(), |b| {
            b.iter(|| {
                i = (i + 1) % messages.len();
                black_box(matcher.classify(black_box(&messages[i]), *lang))
            })
        });
    }
    g.finish();
}

fn owned(messages: &[&str]) -> Vec<String> {
    messages.iter().map(|m| m.to_string()).collect()
}

fn classify_shipped(c: &mut Criterion) {
    let matcher = Matcher::new(&shipped());
    let (en, zh) = (owned(ENGLISH), owned(CHINESE));
    bench_messages(
        c,
        "classify_shipped",
        &matcher,
        &[(Lang::En, &en), (Lang::Zh, &zh)],
    );
}

fn classify_generated(c: &mut Criterion) {
    for entries in [1_000, 10_000] {
        let (content, en, zh) = generated(entries);
        let matcher = Matcher::new(&content);
        let mut en_all = owned(ENGLISH);
        en_all.extend(en);
        let mut zh_all = owned(CHINESE);
        zh_all.extend(zh);
        bench_messages(
            c,
            &format!("classify_generated_{entries}"),
            &matcher,
            &[(Lang::En, &en_all), (Lang::Zh, &zh_all)],
        );
    }
}

fn classify_worst_case(c: &mut Criterion) {
    let matcher = Matcher::new(&shipped());
    let mut g = c.benchmark_group("classify_100kb");
    let inputs = [
        ("latin", "close my jiebei please ".repeat(4_400)),
        ("chinese", "关闭借呗会影响芝麻分吗".repeat(3_100)),
        ("emoji_and_invisible", "😀\u{200B}\u{0301}".repeat(10_000)),
    ];
    for (name, text) in &inputs {
        for lang in [Lang::En, Lang::Zh] {
            g.bench_with_input(BenchmarkId::new(*name, lang.code()), text, |b, text| {
                b.iter(|| black_box(matcher.classify(black_box(text), lang)))
            });
        }
    }
    g.finish();
}

fn load_and_index(c: &mut Criterion) {
    // Warm the segmenter's dictionary (see the module documentation).
    black_box(Matcher::new(&shipped()));
    let mut g = c.benchmark_group("load_and_index");
    g.bench_function("builtin", |b| {
        b.iter(|| black_box(Matcher::new(&shipped())))
    });
    g.bench_function("content_dir", |b| {
        b.iter(|| {
            let content = Content::load_dir(Path::new("content")).expect("content/ loads");
            black_box(Matcher::new(&content))
        })
    });
    let content = shipped();
    g.bench_function("index_only", |b| {
        b.iter(|| black_box(Matcher::new(&content)))
    });
    g.finish();
}

/// A tiny deterministic generator, so every run benches the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const EN_SUBJECTS: &[&str] = &[
    "jiebei",
    "alipay",
    "huabei",
    "yuebao",
    "credit card",
    "loan",
    "account",
    "limit",
    "interest",
    "bill",
    "password",
    "bank card",
    "transfer",
    "refund",
    "deposit",
    "coupon",
    "membership",
    "insurance",
    "fund",
    "phone number",
];
const EN_VERBS: &[&str] = &[
    "close", "open", "change", "check", "view", "reset", "increase", "lower", "cancel", "repay",
    "link", "unlink", "verify", "freeze", "unfreeze", "transfer", "download", "renew",
];
const EN_TEMPLATES: &[&str] = &[
    "how do i {v} my {s} {w}",
    "can i {v} the {w} {s} after i {v2} it",
    "what happens to my {s} if i {v} the {w}",
    "why can't i {v} my {w} {s}",
    "is it possible to {v} {s} {w} online",
    "{s} {w} {v} steps",
    "where is the {w} option to {v} {s}",
    "will it affect my {s} if i {v} {w}",
];
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "zu", "ren", "tai", "bo", "shi", "ven", "qui", "dra", "mon", "pel", "sor",
];
const ZH_SUBJECTS: &[&str] = &[
    "借呗",
    "花呗",
    "余额宝",
    "信用卡",
    "账户",
    "额度",
    "利息",
    "账单",
    "密码",
    "银行卡",
    "转账",
    "退款",
    "会员",
    "保险",
    "基金",
    "手机号",
];
const ZH_VERBS: &[&str] = &[
    "关闭", "开通", "修改", "查看", "重置", "提高", "降低", "注销", "还款", "绑定", "解绑", "验证",
    "冻结", "解冻",
];
const ZH_TEMPLATES: &[&str] = &[
    "怎么{v}{s}{w}",
    "{v}{s}以后还能{v2}{w}吗",
    "{s}{w}{v}了会怎么样",
    "为什么不能{v}{w}{s}",
    "{w}{s}在哪里{v}",
    "{v}{w}会影响{s}吗",
];
const ZH_CHARS: &[char] = &[
    '安', '宝', '财', '存', '贷', '单', '分', '付', '关', '号', '户', '金', '卡', '款', '理', '码',
    '米', '钱', '券', '融', '商', '收', '税', '提', '通', '网', '息', '信', '银', '用', '优', '约',
    '账', '证', '支', '转', '资', '租', '保', '币',
];

/// A made-up word, so a big knowledge base has a big vocabulary.
fn pseudo_word(rng: &mut Rng) -> String {
    (0..2 + rng.next() % 2)
        .map(|_| rng.pick(SYLLABLES))
        .collect()
}

fn pseudo_zh_word(rng: &mut Rng) -> String {
    (0..2).map(|_| rng.pick(ZH_CHARS)).collect()
}

fn fill(template: &str, s: &str, v: &str, v2: &str, w: &str) -> String {
    template
        .replace("{s}", s)
        .replace("{v2}", v2)
        .replace("{v}", v)
        .replace("{w}", w)
}

/// `entries` FAQ entries with a question, six alternates and three keywords
/// per language, on top of the shipped intents and matcher settings; plus
/// messages paraphrasing some of them.
fn generated(entries: usize) -> (Content, Vec<String>, Vec<String>) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ entries as u64);
    let mut content = shipped();
    content.faqs.clear();
    content.topics.clear();
    let (mut en_messages, mut zh_messages) = (Vec::new(), Vec::new());
    for n in 0..entries {
        let (s, v, v2) = (
            rng.pick(EN_SUBJECTS),
            rng.pick(EN_VERBS),
            rng.pick(EN_VERBS),
        );
        let w = pseudo_word(&mut rng);
        let en: Vec<String> = (0..7)
            .map(|_| {
                let t = rng.pick(EN_TEMPLATES);
                fill(t, s, v, v2, &w)
            })
            .collect();
        let (zs, zv, zv2) = (
            rng.pick(ZH_SUBJECTS),
            rng.pick(ZH_VERBS),
            rng.pick(ZH_VERBS),
        );
        let zw = pseudo_zh_word(&mut rng);
        let zh: Vec<String> = (0..7)
            .map(|_| {
                let t = rng.pick(ZH_TEMPLATES);
                fill(t, zs, zv, zv2, &zw)
            })
            .collect();
        if n % 50 == 0 {
            en_messages.push(format!("hi, {} please?", en[1]));
            zh_messages.push(format!("请问{}", zh[1]));
        }
        let text = |phrasings: Vec<String>, keywords: Vec<String>| FaqText {
            question: phrasings[0].clone(),
            alternates: phrasings[1..].to_vec(),
            keywords,
            answer: "Generated answer.".to_string(),
        };
        content.faqs.push(Faq {
            id: FaqId::parse(&format!("generated-{n}")).expect("a valid id"),
            related: Vec::new(),
            start: None,
            text: PerLang {
                en: text(en, vec![w.clone(), s.to_string(), format!("{v} {s}")]),
                zh: text(zh, vec![zw.clone(), zs.to_string(), format!("{zv}{zs}")]),
            },
        });
    }
    (content, en_messages, zh_messages)
}

criterion_group!(
    benches,
    classify_shipped,
    classify_generated,
    classify_worst_case,
    load_and_index
);
criterion_main!(benches);
