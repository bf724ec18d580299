//! Hiding phone, ID-card and bank-card numbers in text before it is stored
//! or shown to an agent.
//!
//! A *number* is a run of digits (ASCII or full-width) that may start with
//! `+` and may be broken into groups by up to three spaces, dashes, dots or
//! brackets (`+86 138-0013-8000`, `(010) 8765 4321`); a 17-digit run may end
//! in `X` (the check character of an ID card). A number is masked when it
//! has at least [`MIN_DIGITS`] digits, or at least [`MIN_DIGITS_WITH_PLUS`]
//! after a `+`. That covers Chinese mobiles (11 digits), E.164 numbers,
//! resident ID cards (15 or 18 characters) and bank cards (16 to 19 digits);
//! amounts, short codes, ticket ids and dates (`2026-11-25`, which ends a
//! number) stay as they are.
//!
//! A masked number loses its separators and keeps only its last four
//! characters, and after a `+` the Chinese country code: `+86 138 0013 8000`
//! becomes `+86*******8000`, `11010119900307123X` becomes
//! `**************123X`. Masking masked text changes nothing.

/// Digits from which a number without `+` is masked.
pub const MIN_DIGITS: usize = 9;

/// Digits from which a number written with `+` is masked.
pub const MIN_DIGITS_WITH_PLUS: usize = 7;

/// Characters of a number left visible at its end.
const VISIBLE_TAIL: usize = 4;

/// Most separator characters between two groups of digits.
const MAX_SEPARATOR: usize = 3;

/// `text` with every phone, ID-card and card number masked (see the module
/// documentation for what counts as one and how it is shown).
pub fn mask(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let plus = is_plus(chars[i]) && chars.get(i + 1).is_some_and(|&c| is_digit(c));
        if !plus && !is_digit(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let number = scan(&chars, i, plus);
        if number.must_mask() {
            number.write_masked(&chars, &mut out);
        } else {
            out.extend(&chars[i..number.end]);
        }
        i = number.end;
    }
    out
}

/// A number found in the text.
struct Number {
    /// Whether it starts with `+`.
    plus: bool,
    /// Positions of its digits (and a final `X`), in order.
    digits: Vec<usize>,
    /// Position just after it.
    end: usize,
}

impl Number {
    fn must_mask(&self) -> bool {
        let min = if self.plus {
            MIN_DIGITS_WITH_PLUS
        } else {
            MIN_DIGITS
        };
        self.digits.len() >= min
    }

    /// Writes `+86`/`+` (when written with a plus), stars, and the last
    /// four characters.
    fn write_masked(&self, chars: &[char], out: &mut String) {
        let mut front = 0;
        if self.plus {
            out.push('+');
            let digit = |k: usize| digit_value(chars[self.digits[k]]);
            if digit(0) == Some(8) && digit(1) == Some(6) {
                out.push_str("86");
                front = 2;
            }
        }
        let tail = self.digits.len() - VISIBLE_TAIL;
        out.extend(std::iter::repeat_n('*', tail - front));
        out.extend(self.digits[tail..].iter().map(|&k| chars[k]));
    }
}

/// Reads the number starting at `start` (at its `+` when `plus`).
fn scan(chars: &[char], start: usize, plus: bool) -> Number {
    let mut i = start + usize::from(plus);
    let mut digits = Vec::new();
    // (length, separator before it) of each group of digits so far.
    let mut groups: Vec<(usize, Option<char>)> = Vec::new();
    let mut separator = None;
    loop {
        let first = digits.len();
        while i < chars.len() && is_digit(chars[i]) {
            digits.push(i);
            i += 1;
        }
        groups.push((digits.len() - first, separator));
        if !plus && is_date(&groups, &digits, chars) {
            break;
        }
        let gap = chars[i..]
            .iter()
            .take(MAX_SEPARATOR + 1)
            .take_while(|&&c| is_separator(c))
            .count();
        let resumes =
            gap > 0 && gap <= MAX_SEPARATOR && chars.get(i + gap).is_some_and(|&c| is_digit(c));
        if !resumes {
            break;
        }
        separator = (gap == 1).then_some(chars[i]);
        i += gap;
    }
    if digits.len() == 17
        && chars
            .get(i)
            .is_some_and(|&c| matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ'))
    {
        digits.push(i);
        i += 1;
    }
    Number {
        plus,
        digits,
        end: i,
    }
}

/// True when the groups read so far are exactly a date `YYYY-MM-DD` or
/// `YYYY.MM.DD` of this century or the last.
fn is_date(groups: &[(usize, Option<char>)], digits: &[usize], chars: &[char]) -> bool {
    let [(4, None), (1..=2, Some(a)), (1..=2, Some(b))] = groups else {
        return false;
    };
    if a != b || !matches!(a, '-' | '.') {
        return false;
    }
    let value = |from: usize, to: usize| {
        digits[from..to]
            .iter()
            .filter_map(|&k| digit_value(chars[k]))
            .fold(0, |n, d| n * 10 + d)
    };
    let month_end = 4 + groups[1].0;
    let (year, month, day) = (
        value(0, 4),
        value(4, month_end),
        value(month_end, digits.len()),
    );
    (1900..2100).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day)
}

fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn is_digit(c: char) -> bool {
    digit_value(c).is_some()
}

fn is_plus(c: char) -> bool {
    matches!(c, '+' | '＋')
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '.' | '(' | ')' | '\u{00A0}' | '\u{3000}' | '\u{2010}'
            ..='\u{2015}' | '－' | '（' | '）'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_mobiles_keep_only_their_last_four_digits() {
        assert_eq!(mask("13800138000"), "*******8000");
        assert_eq!(mask("call 138 0013 8000 please"), "call *******8000 please");
        assert_eq!(mask("138-0013-8000。"), "*******8000。");
        assert_eq!(mask("手机号13912345678，谢谢"), "手机号*******5678，谢谢");
    }

    #[test]
    fn a_plus_keeps_the_chinese_country_code_only() {
        assert_eq!(mask("+86 138 0000 0001"), "+86*******0001");
        assert_eq!(mask("+8613800000001"), "+86*******0001");
        assert_eq!(mask("+1 (415) 555-0100"), "+*******0100");
        assert_eq!(mask("+44 20 7946 0958"), "+********0958");
    }

    #[test]
    fn id_card_numbers_are_masked_with_their_check_character() {
        assert_eq!(mask("110101199003071234"), "**************1234");
        assert_eq!(mask("11010119900307123X"), "**************123X");
        assert_eq!(mask("id 11010119900307123x."), "id **************123x.");
        assert_eq!(mask("110101900307123"), "***********7123");
    }

    #[test]
    fn bank_cards_and_full_width_digits_are_masked() {
        assert_eq!(mask("6222 0212 3456 7890 123"), "***************0123");
        assert_eq!(mask("１３８００１３８０００"), "*******８０００");
    }

    #[test]
    fn amounts_dates_codes_and_ticket_ids_are_left_alone() {
        for text in [
            "I owe 1200.50 yuan",
            "还款 5000 元",
            "paid on 2026-11-25 12:30",
            "on 2026.11.25 10 am",
            "ticket T-000042",
            "code 123456",
            "8765 4321",
        ] {
            assert_eq!(mask(text), text);
        }
    }

    #[test]
    fn masking_twice_changes_nothing_more() {
        let once = mask("+86 138 0000 0001 and 11010119900307123X");
        assert_eq!(mask(&once), once);
    }

    #[test]
    fn no_middle_digit_of_a_masked_number_survives() {
        let text = "a 13812345678 b +8613987654321 c 110101199003071234";
        let masked = mask(text);
        for secret in ["1381234", "1398765", "11010119900307"] {
            assert!(!masked.contains(secret), "{masked}");
        }
        assert!(!masked.contains("12345"));
    }
}
