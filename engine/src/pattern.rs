//! Step patterns of Cannon's `run` flags (`cmd/matcher.go`): `never` or empty, `always`, `=N`,
//! `%N`. Numbers are parsed like Go's `strconv.ParseUint(s, 0, 64)`.

use std::fmt;
use std::str::FromStr;

/// When something happens during a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepPattern {
    /// Never.
    Never,
    /// Every step.
    Always,
    /// At exactly this step.
    Exactly(u64),
    /// At every multiple of this (non-zero) period.
    Every(u64),
}

impl StepPattern {
    /// True if the pattern matches `step`.
    pub fn matches(self, step: u64) -> bool {
        match self {
            StepPattern::Never => false,
            StepPattern::Always => true,
            StepPattern::Exactly(n) => step == n,
            StepPattern::Every(n) => step.is_multiple_of(n),
        }
    }

    /// The smallest step `>= from` that matches.
    pub fn next_match(self, from: u64) -> Option<u64> {
        match self {
            StepPattern::Never => None,
            StepPattern::Always => Some(from),
            StepPattern::Exactly(n) => (n >= from).then_some(n),
            StepPattern::Every(n) => {
                let r = from % n;
                if r == 0 {
                    Some(from)
                } else {
                    from.checked_add(n - r)
                }
            }
        }
    }
}

/// Parses an unsigned integer the way Go's `ParseUint(s, 0, 64)` does (`0x`, `0o`, `0b`, leading
/// `0` for octal, underscores only after a base prefix).
pub fn parse_go_uint(s: &str) -> Option<u64> {
    let (digits, radix, prefixed) =
        if let Some(r) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            (r, 16, true)
        } else if let Some(r) = s.strip_prefix("0o").or_else(|| s.strip_prefix("0O")) {
            (r, 8, true)
        } else if let Some(r) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
            (r, 2, true)
        } else if s.len() > 1 && s.starts_with('0') {
            (&s[1..], 8, true)
        } else {
            (s, 10, false)
        };
    let cleaned: String = if prefixed {
        if digits.starts_with('_') && radix != 8 || digits.ends_with('_') || digits.contains("__") {
            return None;
        }
        digits.chars().filter(|&c| c != '_').collect()
    } else {
        digits.to_string()
    };
    if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(&cleaned, radix).ok()
}

/// A pattern that failed to parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError(pub String);

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PatternError {}

impl FromStr for StepPattern {
    type Err = PatternError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "" | "never" => Ok(StepPattern::Never),
            "always" => Ok(StepPattern::Always),
            _ => {
                let (kind, num) = s.split_at(1);
                let n = parse_go_uint(num).ok_or_else(|| {
                    PatternError(format!(
                        "invalid step pattern {s:?}: {num:?} is not a number"
                    ))
                })?;
                match kind {
                    "=" => Ok(StepPattern::Exactly(n)),
                    "%" if n == 0 => Err(PatternError(format!(
                        "invalid step pattern {s:?}: the period must be non-zero"
                    ))),
                    "%" => Ok(StepPattern::Every(n)),
                    _ => Err(PatternError(format!(
                        "invalid step pattern {s:?}: expected never, always, =N or %N"
                    ))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let ok: &[(&str, StepPattern)] = &[
            ("", StepPattern::Never),
            ("never", StepPattern::Never),
            ("always", StepPattern::Always),
            ("=0", StepPattern::Exactly(0)),
            ("=1000", StepPattern::Exactly(1000)),
            ("%100000", StepPattern::Every(100_000)),
            ("=0x10", StepPattern::Exactly(16)),
            ("=010", StepPattern::Exactly(8)),
            ("=0b101", StepPattern::Exactly(5)),
            ("%0x1_000", StepPattern::Every(4096)),
        ];
        for (s, p) in ok {
            assert_eq!(s.parse::<StepPattern>().unwrap(), *p, "{s}");
        }
        for bad in [
            "%0",
            "=",
            "=x",
            "=-1",
            "%abc",
            "5",
            "=18446744073709551616",
            "%1_000",
        ] {
            assert!(
                bad.parse::<StepPattern>().is_err(),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn next_match() {
        assert_eq!(StepPattern::Every(10).next_match(0), Some(0));
        assert_eq!(StepPattern::Every(10).next_match(1), Some(10));
        assert_eq!(StepPattern::Exactly(5).next_match(6), None);
        assert_eq!(StepPattern::Exactly(5).next_match(5), Some(5));
        assert_eq!(StepPattern::Never.next_match(5), None);
        assert_eq!(StepPattern::Every(u64::MAX).next_match(2), Some(u64::MAX));
    }
}
