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

/// Go's `fmt.Sprintf(pattern, step)` with `step` a `uint64`, which is how Cannon names proof and
/// snapshot files (`--proof-fmt`, `--snapshot-fmt`): `%d` and the other integer verbs (`v b o O
/// x X c U`) with Go's flags (`+ - # space 0`), width and precision, `%%`, `%T`, and Go's
/// error texts where Go writes them into the name (`%!s(uint64=5)` for a verb that does not
/// apply, `%!d(MISSING)` for a second verb, `%!(EXTRA uint64=5)` when no verb takes the step,
/// `%!(NOVERB)` for a trailing `%`). What this does not reproduce (`%q`, argument indexes
/// `%[n]d`, `*` widths, widths past 4096) is an error naming it, never a different name.
pub fn go_sprintf_u64(pattern: &str, v: u64) -> Result<String, String> {
    let mut out = String::new();
    let mut used = false;
    let mut it = pattern.chars().peekable();
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut f = GoFlags::default();
        while let Some(&c) = it.peek() {
            match c {
                '+' => f.plus = true,
                '-' => {
                    f.minus = true;
                    f.zero = false;
                }
                '#' => f.sharp = true,
                ' ' => f.space = true,
                '0' => f.zero = !f.minus,
                _ => break,
            }
            it.next();
        }
        f.wid = digits(&mut it)?;
        if it.peek() == Some(&'.') {
            it.next();
            f.prec = Some(digits(&mut it)?.unwrap_or(0));
        }
        let Some(verb) = it.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        match verb {
            '%' => out.push('%'),
            '[' | '*' => return Err("argument indexes and '*' widths are not supported".into()),
            'q' => return Err("the %q verb is not supported".into()),
            _ if used => out.push_str(&format!("%!{verb}(MISSING)")),
            'd' | 'v' | 'b' | 'o' | 'O' | 'x' | 'X' => {
                used = true;
                let (base, verb) = match verb {
                    'v' if f.sharp => (16, 'x'), // %#v of an unsigned integer is Go syntax: 0x…
                    'd' | 'v' => (10, verb),
                    'b' => (2, verb),
                    'o' | 'O' => (8, verb),
                    _ => (16, verb),
                };
                out.push_str(&f.integer(v, base, verb));
            }
            'c' | 'U' => {
                used = true;
                if f != GoFlags::default() {
                    return Err(format!(
                        "flags, width or precision with %{verb} are not supported"
                    ));
                }
                match verb {
                    'c' => out.push(
                        u32::try_from(v)
                            .ok()
                            .and_then(char::from_u32)
                            .unwrap_or('\u{FFFD}'),
                    ),
                    _ => out.push_str(&format!("U+{v:04X}")),
                }
            }
            'T' => {
                used = true;
                out.push_str(&f.pad("uint64"));
            }
            _ => {
                // Go's badVerb: the value as %v, with this verb's flags
                used = true;
                out.push_str(&format!("%!{verb}(uint64={})", f.integer(v, 10, 'v')));
            }
        }
    }
    if !used {
        out.push_str(&format!("%!(EXTRA uint64={v})"));
    }
    Ok(out)
}

/// A verb's flags, width and precision (Go's `fmt.fmtFlags` and friends).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct GoFlags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

/// A width or precision: decimal digits, if any.
fn digits(it: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Option<usize>, String> {
    let mut n: Option<usize> = None;
    while let Some(d) = it.peek().and_then(|c| c.to_digit(10)) {
        it.next();
        let v = n.unwrap_or(0) * 10 + d as usize;
        if v > 4096 {
            return Err("a width or precision past 4096 is not supported".into());
        }
        n = Some(v);
    }
    Ok(n)
}

impl GoFlags {
    /// Go's `fmtInteger` for an unsigned value.
    fn integer(mut self, v: u64, base: u32, verb: char) -> String {
        let mut min_digits = 0;
        if let Some(p) = self.prec {
            if p == 0 && v == 0 {
                self.zero = false;
                return self.pad("");
            }
            min_digits = p;
        } else if self.zero && !self.minus {
            if let Some(w) = self.wid {
                min_digits = w.saturating_sub(usize::from(self.plus || self.space));
            }
        }
        let mut s = match base {
            2 => format!("{v:b}"),
            8 => format!("{v:o}"),
            16 if verb == 'X' => format!("{v:X}"),
            16 => format!("{v:x}"),
            _ => v.to_string(),
        };
        if s.len() < min_digits {
            s = "0".repeat(min_digits - s.len()) + &s;
        }
        if self.sharp {
            match base {
                2 => s.insert_str(0, "0b"),
                8 if !s.starts_with('0') => s.insert(0, '0'),
                16 if verb == 'X' => s.insert_str(0, "0X"),
                16 => s.insert_str(0, "0x"),
                _ => {}
            }
        }
        if verb == 'O' {
            s.insert_str(0, "0o");
        }
        if self.plus {
            s.insert(0, '+');
        } else if self.space {
            s.insert(0, ' ');
        }
        self.zero = false;
        self.pad(&s)
    }

    /// Go's `fmt.pad`: spaces (zeros with the `0` flag) to the width, on the left unless `-`.
    fn pad(&self, s: &str) -> String {
        let n = s.chars().count();
        let Some(w) = self.wid.filter(|&w| w > n) else {
            return s.to_string();
        };
        let fill = if self.zero && !self.minus { "0" } else { " " }.repeat(w - n);
        if self.minus {
            format!("{s}{fill}")
        } else {
            format!("{fill}{s}")
        }
    }
}

/// Checks a file name pattern (`--proof-fmt`, `--snapshot-fmt`) before a run starts: it must be
/// one [`go_sprintf_u64`] reproduces, and when `when` can name more than one step, it must put
/// the step into the name (a pattern without `%d` would give Go's `name%!(EXTRA uint64=N)`,
/// or, with `%T` or `%%d`, the same name for every file).
pub fn check_name_fmt(flag: &str, pattern: &str, when: StepPattern) -> Result<(), String> {
    let name =
        |v| go_sprintf_u64(pattern, v).map_err(|e| format!("invalid {flag} {pattern:?}: {e}"));
    let (a, b) = (name(1)?, name(2)?);
    let repeats = matches!(when, StepPattern::Always | StepPattern::Every(_));
    if repeats && (a == b || a.contains("%!(EXTRA")) {
        return Err(format!(
            "invalid {flag} {pattern:?}: it does not put the step into the file name (write %d \
             where the step goes), so every file would get the same name"
        ));
    }
    Ok(())
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

    /// Go 1.23.9's own output for every pattern and step in `fixtures/gofmt/sprintf.jsonl`
    /// (made by `fixtures/src/go/sprintf-oracle`).
    #[test]
    fn file_names_are_what_go_sprintf_makes() {
        let table = include_str!("../../fixtures/gofmt/sprintf.jsonl");
        let mut n = 0;
        for line in table.lines() {
            let (p, v, want): (String, u64, String) = serde_json::from_str(line).unwrap();
            assert_eq!(
                go_sprintf_u64(&p, v).as_deref(),
                Ok(want.as_str()),
                "{p:?} {v}"
            );
            n += 1;
        }
        assert!(n > 150, "{n} cases");
        for p in ["%q", "%[1]d", "%*d", "%99999d"] {
            assert!(go_sprintf_u64(p, 1).is_err(), "{p}");
        }
    }

    #[test]
    fn name_patterns_that_cannot_tell_steps_apart_are_refused_when_they_repeat() {
        let every = StepPattern::Every(10);
        assert!(check_name_fmt("--proof-fmt", "%d.json", every).is_ok());
        assert!(check_name_fmt("--proof-fmt", "p-%08x.json", StepPattern::Always).is_ok());
        for bad in ["proof.json", "%%d.json", "%T.json", "%q.json"] {
            let e = check_name_fmt("--proof-fmt", bad, every).unwrap_err();
            assert!(e.contains("--proof-fmt"), "{e}");
        }
        // one file: Go's name, whatever it is
        assert!(check_name_fmt("--proof-fmt", "proof.json", StepPattern::Exactly(5)).is_ok());
        assert!(check_name_fmt("--proof-fmt", "%q", StepPattern::Exactly(5)).is_err());
    }
}
