//! Phone numbers as IT Glue keeps them: digits only, plus a formatted copy for display.

/// IT Glue keeps phone numbers "stripped of all separators".
pub fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// `(415) 555-0142` for ten North American digits (with or without the leading 1),
/// `+41445550123` for anything else.
pub fn format_phone(digits: &str) -> String {
    let national = digits
        .strip_prefix('1')
        .filter(|rest| rest.len() == 10)
        .unwrap_or(digits);
    match (national.get(..3), national.get(3..6), national.get(6..)) {
        (Some(area), Some(exchange), Some(line)) if national.len() == 10 => {
            format!("({area}) {exchange}-{line}")
        }
        _ if digits.is_empty() => String::new(),
        _ => format!("+{digits}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_digits_with_a_formatted_value() {
        assert_eq!(digits("(415) 555-2156"), "4155552156");
        assert_eq!(format_phone("4155552156"), "(415) 555-2156");
        assert_eq!(format_phone("14155552156"), "(415) 555-2156");
        assert_eq!(format_phone("41445550123"), "+41445550123");
        assert_eq!(format_phone(""), "");
    }
}
