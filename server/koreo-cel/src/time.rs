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

    /// Parses the ISO 8601 forms the reference's parser (pendulum) accepts: calendar
    /// (`2024-01-02`, `20240102`, `2024-01`, `2024`), ordinal (`2024-032`) and week
    /// (`2024-W05-2`) dates, optionally followed by `T` or a space and `HH[:MM[:SS[.f]]]`
    /// (or the compact `HHMMSS`), then `Z`, `±HH`, `±HH:MM` or `±HHMM`; no offset means UTC.
    pub fn parse(s: &str) -> Result<Timestamp, TimeError> {
        parse_iso(s).ok_or_else(|| TimeError::Value(format!("Unable to parse string [{s}]")))
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
        let invalid = || TimeError::Value(format!("Invalid duration '{s}'"));
        let (sign, body) = match s.as_bytes().first() {
            Some(b'+') => (1.0, &s[1..]),
            Some(b'-') => (-1.0, &s[1..]),
            _ => (1.0, s),
        };
        if body.is_empty() {
            return Err(invalid());
        }
        let b = body.as_bytes();
        let mut i = 0;
        let mut parts: Vec<f64> = Vec::new();
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
            let number = &body[start..i];
            let ustart = i;
            while i < b.len() && b[i].is_ascii_lowercase() {
                i += 1;
            }
            if i == ustart {
                return Err(invalid());
            }
            let unit = &body[ustart..i];
            let scale = match unit {
                "ns" => 1e-9,
                "us" => 1e-6,
                "ms" => 1e-3,
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3600.0,
                "d" => 86400.0,
                _ => return Err(invalid()),
            };
            let n: f64 = number.parse().map_err(|_| {
                TimeError::Value(format!("could not convert string to float: '{number}'"))
            })?;
            parts.push(n * scale);
        }
        let secs = sign * fsum(&parts);
        if !(-(DURATION_MAX_S as f64)..=DURATION_MAX_S as f64).contains(&secs) {
            return Err(TimeError::Value("range error: {seconds}".into()));
        }
        Duration::from_micros(round_half_even(secs * 1e6) as i128)
    }

    /// `-self`.
    pub fn neg(&self) -> Duration {
        Duration { us: -self.us }
    }
}

fn digits(b: &[u8], from: usize, len: usize) -> Option<i64> {
    let part = b.get(from..from + len)?;
    if !part.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(part).ok()?.parse().ok()
}

/// Splits `s` into (date, time-with-offset) and parses both.
fn parse_iso(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    let split = b.iter().position(|c| *c == b'T' || *c == b' ');
    let (date, rest) = match split {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    };
    let (year, month, day) = parse_date(date)?;
    let (h, mi, sec, micro, offset) = match rest {
        None => (0, 0, 0, 0, 0),
        Some(t) => parse_time(t)?,
    };
    if !(1..=9999).contains(&year)
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
    {
        return None;
    }
    Timestamp::from_civil(year, month, day, h, mi, sec, micro, offset).ok()
}

fn parse_date(d: &[u8]) -> Option<(i64, i64, i64)> {
    let year = digits(d, 0, 4)?;
    let rest = &d[4..];
    let dash = rest.first() == Some(&b'-');
    let r = if dash { &rest[1..] } else { rest };
    if rest.is_empty() {
        return Some((year, 1, 1));
    }
    if r.first() == Some(&b'W') {
        // Week date: YYYY-Www[-D] or YYYYWww[D].
        let week = digits(r, 1, 2)?;
        let wd = match &r[3..] {
            [] => 1,
            [b'-', x] if dash => (*x as char).to_digit(10)? as i64,
            [x] if !dash => (*x as char).to_digit(10)? as i64,
            _ => return None,
        };
        if !(1..=53).contains(&week) || !(1..=7).contains(&wd) {
            return None;
        }
        let jan4 = days_from_civil(year, 1, 4);
        let monday = jan4 - (jan4 + 3).rem_euclid(7);
        let (y, m, dd) = civil_from_days(monday + (week - 1) * 7 + (wd - 1));
        return Some((y, m, dd));
    }
    match (r.len(), dash) {
        (2, true) => Some((year, digits(r, 0, 2)?, 1)),
        (5, true) if r[2] == b'-' => Some((year, digits(r, 0, 2)?, digits(r, 3, 2)?)),
        (4, false) => Some((year, digits(r, 0, 2)?, digits(r, 2, 2)?)),
        (3, _) => {
            let ord = digits(r, 0, 3)?;
            let len = if is_leap(year) { 366 } else { 365 };
            if !(1..=len).contains(&ord) {
                return None;
            }
            let (y, m, dd) = civil_from_days(days_from_civil(year, 1, 1) + ord - 1);
            Some((y, m, dd))
        }
        _ => None,
    }
}

fn parse_time(t: &[u8]) -> Option<(i64, i64, i64, i64, i32)> {
    // Offset: the last `Z` or sign.
    let (clock, offset) = match t.iter().rposition(|c| matches!(c, b'Z' | b'+' | b'-')) {
        Some(i) => (&t[..i], parse_offset(&t[i..])?),
        None => (t, 0),
    };
    let (main, frac) = match clock.iter().position(|c| *c == b'.' || *c == b',') {
        Some(i) => (&clock[..i], Some(&clock[i + 1..])),
        None => (clock, None),
    };
    let (h, mi, sec) = match main.len() {
        2 => (digits(main, 0, 2)?, 0, 0),
        4 => (digits(main, 0, 2)?, digits(main, 2, 2)?, 0),
        5 if main[2] == b':' => (digits(main, 0, 2)?, digits(main, 3, 2)?, 0),
        6 => (
            digits(main, 0, 2)?,
            digits(main, 2, 2)?,
            digits(main, 4, 2)?,
        ),
        8 if main[2] == b':' && main[5] == b':' => (
            digits(main, 0, 2)?,
            digits(main, 3, 2)?,
            digits(main, 6, 2)?,
        ),
        _ => return None,
    };
    let micro = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.iter().all(u8::is_ascii_digit) => {
            let mut us: String = f.iter().take(6).map(|c| *c as char).collect();
            while us.len() < 6 {
                us.push('0');
            }
            us.parse().ok()?
        }
        Some(_) => return None,
    };
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    Some((h, mi, sec, micro, offset))
}

fn parse_offset(o: &[u8]) -> Option<i32> {
    if o == b"Z" {
        return Some(0);
    }
    let sign = if o[0] == b'-' { -1 } else { 1 };
    let r = &o[1..];
    let (h, m) = match r.len() {
        2 => (digits(r, 0, 2)?, 0),
        4 => (digits(r, 0, 2)?, digits(r, 2, 2)?),
        5 if r[2] == b':' => (digits(r, 0, 2)?, digits(r, 3, 2)?),
        _ => return None,
    };
    Some(sign * (h * 3600 + m * 60) as i32)
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
