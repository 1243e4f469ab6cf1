//! Timestamps and durations with Python `datetime` semantics (microsecond precision, years
//! 1..=9999, a fixed UTC offset per timestamp).

/// Microseconds per second.
const US: i128 = 1_000_000;
/// Largest `timedelta` magnitude in microseconds (999999999 days and change).
const TD_MAX_US: i128 = (999_999_999i128 * 86_400 + 86_399) * US + 999_999;
/// `DurationType` range in seconds.
const DURATION_MAX_S: i128 = 315_576_000_000;

/// A point in time with the UTC offset it was written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timestamp {
    /// Microseconds since the Unix epoch, UTC.
    utc_us: i128,
    /// Offset east of UTC in seconds.
    offset_s: i32,
}

/// A signed span of time (Python `timedelta`), microsecond precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration {
    us: i128,
}

/// Why `DurationType(text)` failed (all are Python `ValueError`s).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DurationError {
    /// The text does not look like a duration: `Invalid duration {text!r}`.
    Pattern,
    /// A component's number is not a float: `could not convert string to float: '{n}'`.
    Float(String),
    /// An unknown unit: `Invalid duration {rest!r}`, where `rest` lost its sign (and is
    /// then a plain `str`).
    Unit {
        /// The text without its sign.
        stripped: String,
        /// Whether a sign was removed.
        sign: bool,
    },
    /// Beyond ±315576000000 s.
    Range,
}

impl DurationError {
    /// The exception text, with `original` as given (its repr is the caller's business for
    /// `Pattern`; plain here).
    pub fn message(&self, original: &str) -> String {
        match self {
            DurationError::Pattern => format!("Invalid duration '{original}'"),
            DurationError::Float(n) => format!("could not convert string to float: '{n}'"),
            DurationError::Unit { stripped, .. } => format!("Invalid duration '{stripped}'"),
            DurationError::Range => "range error: {seconds}".into(),
        }
    }
}

/// Why a time operation failed; `Overflow` maps to Python `OverflowError`, `Value` to
/// `ValueError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeError {
    /// Python `OverflowError` (out of the representable range).
    Overflow(String),
    /// Python `ValueError` (bad text or field).
    Value(String),
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Broken-down local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    /// Year (1..=9999).
    pub year: i64,
    /// Month, 1..=12.
    pub month: i64,
    /// Day of the month, 1-based.
    pub day: i64,
    /// Hour, 0..24.
    pub hour: i64,
    /// Minute, 0..60.
    pub minute: i64,
    /// Second, 0..60.
    pub second: i64,
    /// Microsecond, 0..1_000_000.
    pub micro: i64,
    /// Monday = 0 … Sunday = 6 (Python `weekday()`).
    pub weekday: i64,
    /// 1-based day of the year.
    pub yday: i64,
}

impl Timestamp {
    /// Builds from local fields and an offset; fails outside years 1..=9999.
    #[allow(clippy::too_many_arguments)]
    pub fn from_civil(
        year: i64,
        month: i64,
        day: i64,
        hour: i64,
        minute: i64,
        second: i64,
        micro: i64,
        offset_s: i32,
    ) -> Result<Timestamp, TimeError> {
        if !(1..=9999).contains(&year) {
            return Err(TimeError::Value(format!("year {year} is out of range")));
        }
        if !(1..=12).contains(&month) {
            return Err(TimeError::Value("month must be in 1..12".into()));
        }
        if day < 1 || day > days_in_month(year, month) {
            return Err(TimeError::Value("day is out of range for month".into()));
        }
        if !(0..24).contains(&hour) || !(0..60).contains(&minute) || !(0..60).contains(&second) {
            return Err(TimeError::Value("time out of range".into()));
        }
        let days = days_from_civil(year, month, day) as i128;
        let local =
            ((days * 86_400 + (hour * 3600 + minute * 60 + second) as i128) * US) + micro as i128;
        Ok(Timestamp {
            utc_us: local - offset_s as i128 * US,
            offset_s,
        })
    }

    /// From UTC microseconds since the epoch and an offset, range-checked.
    pub fn from_utc_micros(utc_us: i128, offset_s: i32) -> Result<Timestamp, TimeError> {
        let t = Timestamp { utc_us, offset_s };
        let y = t.civil().year;
        if !(1..=9999).contains(&y) {
            return Err(TimeError::Overflow("date value out of range".into()));
        }
        Ok(t)
    }

    /// Microseconds since the epoch (UTC).
    pub fn utc_micros(&self) -> i128 {
        self.utc_us
    }

    /// Offset east of UTC, seconds.
    pub fn offset_seconds(&self) -> i32 {
        self.offset_s
    }

    /// Same instant at another offset.
    pub fn with_offset(&self, offset_s: i32) -> Timestamp {
        Timestamp {
            utc_us: self.utc_us,
            offset_s,
        }
    }

    /// Local broken-down time at this timestamp's offset.
    pub fn civil(&self) -> Civil {
        let local = self.utc_us + self.offset_s as i128 * US;
        let days = local.div_euclid(86_400 * US);
        let rem = local.rem_euclid(86_400 * US);
        let (year, month, day) = civil_from_days(days as i64);
        let secs = (rem / US) as i64;
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
            micro: (rem % US) as i64,
            weekday: (days as i64 + 3).rem_euclid(7),
            yday: days as i64 - days_from_civil(year, 1, 1) + 1,
        }
    }

    /// Python `timestamp()` (float seconds).
    pub fn epoch_seconds_f64(&self) -> f64 {
        (self.utc_us / US) as f64 + (self.utc_us % US) as f64 / 1e6
    }

    /// `str()` as celpy prints it: `YYYY-MM-DDTHH:MM:SSZ` or with `±HH:MM`.
    pub fn render(&self) -> String {
        let c = self.civil();
        // `strftime("%Y")` does not pad years below 1000.
        let base = format!(
            "{}-{:02}-{:02}T{:02}:{:02}:{:02}",
            c.year, c.month, c.day, c.hour, c.minute, c.second
        );
        if self.offset_s == 0 {
            return format!("{base}Z");
        }
        let sign = if self.offset_s < 0 { '-' } else { '+' };
        let off = self.offset_s.unsigned_abs();
        format!("{base}{sign}{:02}:{:02}", off / 3600, off / 60 % 60)
    }

    /// Parses what the reference's parser (pendulum 3) accepts: see [`parse_pendulum`].
    pub fn parse(s: &str) -> Result<Timestamp, TimeError> {
        parse_pendulum(s).map_err(|e| match e {
            ParseFailure::Parser(m)
            | ParseFailure::Value(m)
            | ParseFailure::Type(m)
            | ParseFailure::Attribute(m) => TimeError::Value(m),
        })
    }

    /// `self + d`.
    pub fn add(&self, d: Duration) -> Result<Timestamp, TimeError> {
        Timestamp::from_utc_micros(self.utc_us + d.us, self.offset_s)
    }

    /// `self - other`.
    pub fn since(&self, other: &Timestamp) -> Duration {
        Duration {
            us: self.utc_us - other.utc_us,
        }
    }
}

impl Duration {
    /// From microseconds, range-checked as `timedelta`.
    pub fn from_micros(us: i128) -> Result<Duration, TimeError> {
        if us.abs() > TD_MAX_US {
            return Err(TimeError::Overflow(
                "days=1000000000; must have magnitude <= 999999999".into(),
            ));
        }
        Ok(Duration { us })
    }

    /// From whole seconds.
    pub fn from_seconds(s: i64) -> Duration {
        Duration { us: s as i128 * US }
    }

    /// Total microseconds.
    pub fn micros(&self) -> i128 {
        self.us
    }

    /// Python `total_seconds()`.
    pub fn total_seconds(&self) -> f64 {
        self.us as f64 / 1e6
    }

    /// Whether it fits `DurationType`'s ±315576000000 s range.
    pub fn in_cel_range(&self) -> bool {
        let s = self.total_seconds();
        (-(DURATION_MAX_S as f64)..=DURATION_MAX_S as f64).contains(&s)
    }

    /// `str()` of a `DurationType`: whole seconds truncated toward zero, then `s`.
    pub fn render_cel(&self) -> String {
        format!("{}s", self.total_seconds().trunc() as i128)
    }

    /// `repr()` of a native `timedelta`: `datetime.timedelta(days=-1, seconds=86399)`.
    pub fn render_timedelta_repr(&self) -> String {
        let days = self.us.div_euclid(86_400 * US);
        let rem = self.us.rem_euclid(86_400 * US);
        let (secs, micros) = (rem / US, rem % US);
        let mut parts = Vec::new();
        if days != 0 {
            parts.push(format!("days={days}"));
        }
        if secs != 0 {
            parts.push(format!("seconds={secs}"));
        }
        if micros != 0 {
            parts.push(format!("microseconds={micros}"));
        }
        if parts.is_empty() {
            parts.push("0".into());
        }
        format!("datetime.timedelta({})", parts.join(", "))
    }

    /// `str()` of a native `timedelta`: `[-]D day[s], H:MM:SS[.ffffff]`.
    pub fn render_timedelta_str(&self) -> String {
        let days = self.us.div_euclid(86_400 * US);
        let rem = self.us.rem_euclid(86_400 * US);
        let (secs, micros) = (rem / US, rem % US);
        let mut s = format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
        if micros != 0 {
            s.push_str(&format!(".{micros:06}"));
        }
        if days != 0 {
            let plural = if days.abs() != 1 { "s" } else { "" };
            s = format!("{days} day{plural}, {s}");
        }
        s
    }

    /// Parses the Go-style strings `DurationType` accepts (`"1h30m"`, `"-90s"`, `"1.5h"`).
    pub fn parse(s: &str) -> Result<Duration, TimeError> {
        Duration::parse_celpy(s).map_err(|e| TimeError::Value(e.message(s)))
    }

    /// `DurationType(text)` step by step: the whole text must look like
    /// `[-+]?(digits[.digits]unit)+`, then each component converts its number (`float()`)
    /// before its unit is looked up, then the total is range-checked.
    pub fn parse_celpy(s: &str) -> Result<Duration, DurationError> {
        let (sign, body) = match s.as_bytes().first() {
            Some(b'+') => (1.0, &s[1..]),
            Some(b'-') => (-1.0, &s[1..]),
            _ => (1.0, s),
        };
        let b = body.as_bytes();
        // (number, unit) byte ranges of each component.
        let mut comps: Vec<(&str, &str)> = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i < b.len() && b[i] == b'.' {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let ustart = i;
            while i < b.len() && b[i].is_ascii_lowercase() {
                i += 1;
            }
            if i == ustart {
                return Err(DurationError::Pattern);
            }
            comps.push((&body[start..ustart], &body[ustart..i]));
        }
        if comps.is_empty() {
            return Err(DurationError::Pattern);
        }
        let mut parts: Vec<f64> = Vec::with_capacity(comps.len());
        for (number, unit) in comps {
            let n: f64 = number
                .parse()
                .map_err(|_| DurationError::Float(number.to_string()))?;
            let scale = match unit {
                "ns" => 1e-9,
                "us" => 1e-6,
                "ms" => 1e-3,
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3600.0,
                "d" => 86400.0,
                _ => {
                    return Err(DurationError::Unit {
                        stripped: body.to_string(),
                        sign: body.len() != s.len(),
                    });
                }
            };
            parts.push(n * scale);
        }
        let secs = sign * fsum(&parts);
        if !(-(DURATION_MAX_S as f64)..=DURATION_MAX_S as f64).contains(&secs) {
            return Err(DurationError::Range);
        }
        Duration::from_micros(round_half_even(secs * 1e6) as i128).map_err(|_| DurationError::Range)
    }

    /// `-self`.
    pub fn neg(&self) -> Duration {
        Duration { us: -self.us }
    }
}

/// Why `timestamp(string)` fails, as the exception cel-python sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseFailure {
    /// pendulum's `ParserError` (a `ValueError`): nothing recognised the text.
    Parser(String),
    /// A plain `ValueError` from `datetime`'s own field checks (pendulum's fallback parser
    /// does not catch them) or from an offset of a day or more.
    Value(String),
    /// A `TypeError` (the fallback parser's `int(None)` on `HH:` without minutes).
    Type(String),
    /// An `AttributeError`: the text is an ISO 8601 duration (`P1D`), which pendulum returns
    /// and `TimestampType` cannot read a year from.
    Attribute(String),
}

/// Whether pendulum's ISO 8601 parser reads `s` as a duration (`P…`).
fn iso_duration(s: &str) -> bool {
    let c: Vec<char> = s.chars().collect();
    if c.first() != Some(&'P') {
        return false;
    }
    let mut i = 1;
    let (mut got_t, mut last_frac) = (false, false);
    // Units seen so far, for pendulum's ordering rules.
    let mut seen = std::collections::HashSet::new();
    loop {
        if c.get(i) == Some(&'T') {
            if got_t {
                return false;
            }
            got_t = true;
        } else {
            let start = i;
            while c.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return false;
            }
            let mut frac = false;
            if matches!(c.get(i), Some('.' | ',')) {
                frac = true;
                i += 1;
                while c.get(i).is_some_and(char::is_ascii_digit) {
                    i += 1;
                }
            }
            if last_frac {
                return false;
            }
            last_frac |= frac;
            let unit = c.get(i).copied().unwrap_or('\0');
            let ok = match (got_t, unit) {
                (true, 'H') => !seen.contains(&'m') && !seen.contains(&'s'),
                (true, 'M') => !seen.contains(&'s'),
                (true, 'S') => true,
                (false, 'Y') => !frac && !seen.contains(&'M') && !seen.contains(&'D'),
                (false, 'M') => !frac && !seen.contains(&'D'),
                (false, 'W') => !seen.contains(&'Y') && !seen.contains(&'M'),
                (false, 'D') => !seen.contains(&'W'),
                _ => false,
            };
            if !ok {
                return false;
            }
            seen.insert(match (got_t, unit) {
                (true, 'M') => 'm',
                (true, 'S') => 's',
                (_, u) => u,
            });
        }
        i += 1;
        if i >= c.len() {
            return true;
        }
    }
}

/// Python `datetime(...)`'s field checks, in its order and words.
fn check_fields(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Result<(), String> {
    if !(1..=9999).contains(&y) {
        return Err(format!("year {y} is out of range"));
    }
    if !(1..=12).contains(&mo) {
        return Err("month must be in 1..12".into());
    }
    if d < 1 || d > days_in_month(y, mo) {
        return Err("day is out of range for month".into());
    }
    if !(0..24).contains(&h) {
        return Err("hour must be in 0..23".into());
    }
    if !(0..60).contains(&mi) {
        return Err("minute must be in 0..59".into());
    }
    if !(0..60).contains(&s) {
        return Err("second must be in 0..59".into());
    }
    Ok(())
}

/// Hour, minute, second, microsecond.
type Clock = (i64, i64, i64, i64);

/// Fields of a parsed text; `date: None` is a time of day (the current date applies).
struct Fields {
    date: Option<(i64, i64, i64)>,
    time: Option<Clock>,
    offset_s: Option<i32>,
}

/// pendulum 3's ISO 8601 parser (its Rust extension): calendar, ordinal and week dates in
/// basic or extended form, then `T`/space and `hh[:mm[:ss[.f]]]` / `hh[mm[ss[.f]]]` (the
/// form must match the date's), then `Z` or `±hh[:][mm]`. `None` when it rejects the text.
fn iso8601(s: &str) -> Option<Fields> {
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    let num = |i: &mut usize, n: usize| -> Option<i64> {
        let mut v = 0i64;
        for _ in 0..n {
            let d = c.get(*i)?.to_digit(10)?;
            v = v * 10 + d as i64;
            *i += 1;
        }
        Some(v)
    };
    let at_end_or_sep = |i: usize| matches!(c.get(i), None | Some(' ' | 'T'));
    if c.first() == Some(&'T') {
        // A time of day.
        let t = iso_time(&c, &mut i, false, false)?;
        return (i == c.len()).then_some(Fields {
            date: None,
            time: Some(t.0),
            offset_s: t.1,
        });
    }
    if c.first() == Some(&'P') {
        return None; // a duration: not a timestamp (handled by the caller as a failure)
    }
    let hi = num(&mut i, 2)?;
    if c.get(i) == Some(&':') {
        // `hh:mm…`: a time of day in extended form.
        i -= 2;
        let t = iso_time(&c, &mut i, true, true)?;
        return (i == c.len()).then_some(Fields {
            date: None,
            time: Some(t.0),
            offset_s: t.1,
        });
    }
    let year = hi * 100 + num(&mut i, 2)?;
    let mut extended = false;
    let (y, mo, d) = if c.get(i) == Some(&'-') {
        i += 1;
        extended = true;
        if c.get(i) == Some(&'W') {
            i += 1;
            let week = num(&mut i, 2)?;
            let mut day = 1;
            if !at_end_or_sep(i) {
                if c.get(i) != Some(&'-') {
                    return None;
                }
                i += 1;
                day = num(&mut i, 1)?;
            }
            iso_week_date(year, week, day)?
        } else {
            let month = num(&mut i, 2)?;
            if !at_end_or_sep(i) {
                if c.get(i) == Some(&'-') {
                    i += 1;
                    (year, month, num(&mut i, 2)?)
                } else {
                    ordinal_date(year, month * 10 + num(&mut i, 1)?)?
                }
            } else {
                (year, month, 1)
            }
        }
    } else if c.get(i) == Some(&'W') {
        i += 1;
        let week = num(&mut i, 2)?;
        let day = if at_end_or_sep(i) { 1 } else { num(&mut i, 1)? };
        iso_week_date(year, week, day)?
    } else {
        let month = num(&mut i, 2)?;
        let d1 = num(&mut i, 1)?;
        if at_end_or_sep(i) {
            ordinal_date(year, month * 10 + d1)?
        } else {
            (year, month, d1 * 10 + num(&mut i, 1)?)
        }
    };
    let mut fields = Fields {
        date: Some((y, mo, d)),
        time: None,
        offset_s: None,
    };
    if i < c.len() {
        let (t, off) = iso_time(&c, &mut i, extended, false)?;
        fields.time = Some(t);
        fields.offset_s = off;
    }
    (i == c.len()).then_some(fields)
}

/// The time part (at the `T`/space separator, or at the hour when `bare`).
fn iso_time(
    c: &[char],
    i: &mut usize,
    extended_date: bool,
    bare: bool,
) -> Option<(Clock, Option<i32>)> {
    let num = |i: &mut usize, n: usize| -> Option<i64> {
        let mut v = 0i64;
        for _ in 0..n {
            let d = c.get(*i)?.to_digit(10)?;
            v = v * 10 + d as i64;
            *i += 1;
        }
        Some(v)
    };
    if !bare {
        if !matches!(c.get(*i), Some('T' | ' ')) {
            return None;
        }
        *i += 1;
    }
    let hour = num(i, 2)?;
    let (mut minute, mut second, mut micro) = (0, 0, 0);
    let zone_or_end = |i: usize| matches!(c.get(i), None | Some('Z' | '+' | '-'));
    let fraction = |i: &mut usize| -> Option<i64> {
        if !matches!(c.get(*i), Some('.' | ',')) {
            return Some(0);
        }
        *i += 1;
        let mut us = 0i64;
        let mut n = 0;
        while n < 6 {
            match c.get(*i).and_then(|d| d.to_digit(10)) {
                Some(d) => us = us * 10 + d as i64,
                None if n == 0 => return None,
                None => break,
            }
            *i += 1;
            n += 1;
        }
        while c.get(*i).is_some_and(|d| d.is_ascii_digit()) {
            *i += 1;
        }
        for _ in n..6 {
            us *= 10;
        }
        Some(us)
    };
    if !zone_or_end(*i) {
        if c.get(*i) == Some(&':') {
            *i += 1;
            minute = num(i, 2)?;
            if !zone_or_end(*i) {
                if c.get(*i) != Some(&':') {
                    return None;
                }
                *i += 1;
                second = num(i, 2)?;
                micro = fraction(i)?;
                if !extended_date {
                    return None; // basic date with extended time
                }
            }
        } else {
            minute = num(i, 2)?;
            if !zone_or_end(*i) {
                second = num(i, 2)?;
                micro = fraction(i)?;
            }
            if extended_date {
                return None; // extended date with basic time
            }
        }
    }
    let offset = match c.get(*i) {
        Some('Z') => {
            *i += 1;
            Some(0)
        }
        Some(&sign @ ('+' | '-')) => {
            *i += 1;
            let h = num(i, 2)?;
            if c.get(*i) == Some(&':') {
                *i += 1;
            }
            let m = if *i >= c.len() { 0 } else { num(i, 2)? };
            let total = (h * 60 + m) * if sign == '+' { 1 } else { -1 };
            if total > 24 * 60 {
                return None;
            }
            Some(total as i32 * 60)
        }
        _ => None,
    };
    Some(((hour, minute, second, micro), offset))
}

fn days_in_year(y: i64) -> i64 {
    if is_leap(y) { 366 } else { 365 }
}

/// An ordinal date, strictly within its year.
fn ordinal_date(year: i64, ordinal: i64) -> Option<(i64, i64, i64)> {
    if ordinal < 1 || ordinal > days_in_year(year) {
        return None;
    }
    Some(civil_from_days(days_from_civil(year, 1, 1) + ordinal - 1))
}

/// An ISO week date (week 0 and day 0 spill into the previous year, as pendulum allows).
fn iso_week_date(year: i64, week: i64, day: i64) -> Option<(i64, i64, i64)> {
    let jan1_weekday = (days_from_civil(year, 1, 1) + 3).rem_euclid(7); // Monday = 0
    let dec31_weekday = (days_from_civil(year, 12, 31) + 3).rem_euclid(7);
    let long_year = jan1_weekday == 3 || dec31_weekday == 3;
    if week > 53 || (week > 52 && !long_year) || day > 7 {
        return None;
    }
    let jan4_weekday = (days_from_civil(year, 1, 4) + 3).rem_euclid(7) + 1; // ISO 1..7
    let mut ordinal = week * 7 + day - (jan4_weekday + 3);
    let mut y = year;
    if ordinal < 1 {
        ordinal += days_in_year(year - 1);
        y -= 1;
    }
    if ordinal > days_in_year(y) {
        ordinal -= days_in_year(y);
        y += 1;
    }
    Some(civil_from_days(days_from_civil(y, 1, 1) + ordinal - 1))
}

/// pendulum's fallback for non-ISO text (`YYYY[[/:]MM[/:]DD]` and/or `[ ]H:M[:S][.f]`).
fn common(s: &str) -> Result<Option<Fields>, ParseFailure> {
    static COMMON: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let re = COMMON.get_or_init(|| {
        regex::Regex::new(
            r"^(?P<date>(?P<year>[0-9]{4})(?P<monthday>[/:]?(?P<month>[0-9]{2})[/:]?(?P<day>[0-9]{2}))?)?(?P<time> ?(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{1,2})?(?::(?P<second>[0-9]{1,2}))?(?:[.|,](?P<sub>[0-9]{1,9}))?)?$",
        )
        .ok()
    });
    let Some(m) = re.as_ref().and_then(|re| re.captures(s)) else {
        return Ok(None);
    };
    if m.name("date").is_none() && m.name("time").is_none() {
        return Ok(None);
    }
    let n = |k: &str| m.name(k).and_then(|x| x.as_str().parse::<i64>().ok());
    let date = match n("year") {
        Some(y) => {
            let (mo, d) = (n("month").unwrap_or(1), n("day").unwrap_or(1));
            Some((y, mo, d))
        }
        None => None,
    };
    let time = match m.name("time") {
        None => None,
        Some(_) => {
            let Some(minute) = n("minute") else {
                return Err(ParseFailure::Type(
                    "int() argument must be a string, a bytes-like object or a real number, \
                     not 'NoneType'"
                        .into(),
                ));
            };
            let sub = m.name("sub").map(|x| x.as_str()).unwrap_or("");
            let micro = format!("{:0<6}", &sub[..sub.len().min(6)])
                .parse()
                .unwrap_or(0);
            Some((
                n("hour").unwrap_or(0),
                minute,
                n("second").unwrap_or(0),
                micro,
            ))
        }
    };
    // The fallback builds `date()`/`datetime()` itself: their ValueErrors escape.
    if let Some((y, mo, d)) = date {
        let (h, mi, sec, _) = time.unwrap_or((0, 0, 0, 0));
        check_fields(y, mo, d, h, mi, sec).map_err(ParseFailure::Value)?;
    } else if let Some((h, mi, sec, _)) = time {
        check_fields(1, 1, 1, h, mi, sec).map_err(ParseFailure::Value)?;
    }
    Ok(Some(Fields {
        date,
        time,
        offset_s: None,
    }))
}

/// `TimestampType(text)`: pendulum's `parse` as cel-python calls it. A time without a date
/// takes today's date and `now` is the current instant, as in the engine (both depend on
/// the clock).
pub fn parse_pendulum(s: &str) -> Result<Timestamp, ParseFailure> {
    if s == "now" {
        let now = jiff::Timestamp::now();
        return Timestamp::from_utc_micros(now.as_microsecond() as i128, 0).map_err(|e| match e {
            TimeError::Value(m) | TimeError::Overflow(m) => ParseFailure::Value(m),
        });
    }
    if iso_duration(s) {
        return Err(ParseFailure::Attribute(
            "'Duration' object has no attribute 'year'".into(),
        ));
    }
    let iso = iso8601(s).and_then(|f| {
        // Rejected by `datetime()` inside the extension: swallowed, like a parse failure.
        let (y, mo, d) = f.date.unwrap_or((1, 1, 1));
        let (h, mi, sec, _) = f.time.unwrap_or((0, 0, 0, 0));
        check_fields(y, mo, d, h, mi, sec).ok().map(|_| f)
    });
    let fields = match iso {
        Some(f) => f,
        None => match common(s)? {
            Some(f) => f,
            None => {
                return Err(ParseFailure::Parser(format!(
                    "Unable to parse string [{s}]"
                )));
            }
        },
    };
    let (y, mo, d) = match fields.date {
        Some(date) => date,
        None => {
            // The engine takes the host's local date; this layer reads no system time zone,
            // so it is today's UTC date (the same on a UTC host, as controllers run).
            let days = jiff::Timestamp::now().as_second().div_euclid(86_400);
            civil_from_days(days)
        }
    };
    let (h, mi, sec, micro) = fields.time.unwrap_or((0, 0, 0, 0));
    // A time of day loses its offset when pendulum puts it on today's date.
    let offset = if fields.date.is_some() {
        fields.offset_s.unwrap_or(0)
    } else {
        0
    };
    if offset.abs() >= 86_400 {
        return Err(ParseFailure::Value(
            "offset must be a timedelta strictly between -timedelta(hours=24) and \
             timedelta(hours=24)."
                .into(),
        ));
    }
    Timestamp::from_civil(y, mo, d, h, mi, sec, micro, offset).map_err(|e| match e {
        TimeError::Value(m) | TimeError::Overflow(m) => ParseFailure::Value(m),
    })
}

/// Python `round()` of a float (half to even).
pub fn round_half_even(x: f64) -> f64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 {
        2.0 * (x / 2.0).round()
    } else {
        r
    }
}

/// An accurate float sum (Python `math.fsum` is exact; Neumaier summation is enough for the
/// handful of terms a duration string has).
fn fsum(xs: &[f64]) -> f64 {
    let mut sum = 0.0;
    let mut c = 0.0;
    for &x in xs {
        let t = sum + x;
        if sum.abs() >= x.abs() {
            c += (sum - t) + x;
        } else {
            c += (x - t) + sum;
        }
        sum = t;
    }
    sum + c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        let t = Timestamp::parse("2024-02-29T13:45:10.250Z").unwrap();
        let c = t.civil();
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.second, c.micro),
            (2024, 2, 29, 13, 45, 10, 250_000)
        );
        assert_eq!(c.weekday, 3); // Thursday
        assert_eq!(c.yday, 60);
        assert_eq!(t.render(), "2024-02-29T13:45:10Z");
        let t = Timestamp::parse("2024-01-01T00:00:00+05:30").unwrap();
        assert_eq!(t.render(), "2024-01-01T00:00:00+05:30");
        assert_eq!(t.utc_micros(), (1_704_067_200i128 - 19_800) * US);
        assert!(Timestamp::parse("2024-13-01").is_err());
        assert!(Timestamp::parse("nope").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(Duration::parse("1h30m").unwrap().micros(), 5400 * US);
        assert_eq!(Duration::parse("-90s").unwrap().render_cel(), "-90s");
        assert_eq!(Duration::parse("1.5s").unwrap().render_cel(), "1s");
        assert!(Duration::parse("1x").is_err());
        assert!(Duration::parse("").is_err());
        assert_eq!(
            Duration::from_seconds(-1).render_timedelta_repr(),
            "datetime.timedelta(days=-1, seconds=86399)"
        );
    }
}
