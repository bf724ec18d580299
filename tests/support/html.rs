//! Telegram's HTML parse mode as the fake Bot API checks it: the tags
//! Telegram allows, its four named entities plus numeric ones, and the
//! length of the text that remains once the markup is gone.
//!
//! One place where this is stricter than Telegram on purpose: a `&` that does
//! not start a valid entity is refused (Telegram keeps it as text), because
//! a bare `&` in a rendered reply always means a string went out unescaped.

/// Tags Telegram accepts in HTML parse mode.
const ALLOWED: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
];

/// Parses `html` like Telegram does and returns the visible text, or the
/// description Telegram's 400 answer would carry.
pub fn parse(html: &str) -> Result<String, String> {
    let bytes = html.as_bytes();
    let mut text = String::with_capacity(html.len());
    let mut open: Vec<String> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                let Some(len) = html[i..].find('>') else {
                    return Err(fail(format!("Unclosed start tag at byte offset {i}")));
                };
                let inner = &html[i + 1..i + len];
                if let Some(name) = inner.strip_prefix('/') {
                    let name = name.trim().to_ascii_lowercase();
                    match open.pop() {
                        Some(expected) if expected == name => {}
                        Some(expected) => {
                            return Err(fail(format!(
                                "Unmatched end tag at byte offset {i}, expected \"</{expected}>\", \
                                 found \"</{name}>\""
                            )))
                        }
                        None => return Err(fail(format!("Unexpected end tag at byte offset {i}"))),
                    }
                } else {
                    let name = start_tag(inner, i)?;
                    open.push(name);
                }
                i += len + 1;
            }
            b'&' => {
                let Some((ch, len)) = entity(&html[i..]) else {
                    return Err(fail(format!(
                        "Unescaped \"&\" at byte offset {i} (the fake API is stricter than \
                         Telegram here)"
                    )));
                };
                text.push(ch);
                i += len;
            }
            _ => {
                let ch = html[i..].chars().next().expect("inside the string");
                text.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    if let Some(tag) = open.pop() {
        return Err(fail(format!(
            "Can't find end tag corresponding to start tag \"{tag}\""
        )));
    }
    Ok(text)
}

/// The length Telegram's limits count: UTF-16 code units. Telegram's own
/// documentation says "characters"; code units are never fewer, so a reply
/// the fake accepts Telegram accepts too.
pub fn telegram_len(text: &str) -> usize {
    text.encode_utf16().count()
}

fn fail(detail: String) -> String {
    format!("Bad Request: can't parse entities: {detail}")
}

/// Checks a start tag's name and attributes; returns the lower-case name.
fn start_tag(inner: &str, offset: usize) -> Result<String, String> {
    let name_end = inner
        .find(|c: char| c.is_whitespace())
        .unwrap_or(inner.len());
    let name = inner[..name_end].trim_end_matches('/').to_ascii_lowercase();
    if !ALLOWED.contains(&name.as_str()) {
        return Err(fail(format!(
            "Unsupported start tag \"{name}\" at byte offset {offset}"
        )));
    }
    let attrs = inner[name_end..].trim();
    match name.as_str() {
        "a" if !attrs.starts_with("href=") => Err(fail(format!(
            "Can't find href attribute of tag \"a\" at byte offset {offset}"
        ))),
        "span" if attrs != "class=\"tg-spoiler\"" => Err(fail(format!(
            "Tag \"span\" must have class \"tg-spoiler\" at byte offset {offset}"
        ))),
        "tg-emoji" if !attrs.starts_with("emoji-id=") => Err(fail(format!(
            "Custom emoji identifier must be specified at byte offset {offset}"
        ))),
        _ => Ok(name),
    }
}

/// Decodes the entity at the start of `s`: the character and its length.
fn entity(s: &str) -> Option<(char, usize)> {
    let end = s.find(';')?;
    let body = &s[1..end];
    let ch = match body {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        _ => {
            let num = body.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((ch, end + 1))
}
