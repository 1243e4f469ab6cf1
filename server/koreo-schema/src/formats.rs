//! String `format`s the Kubernetes API server checks, and name/label syntax.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use base64::Engine as _;
use regex::Regex;

fn re(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

macro_rules! regex {
    ($pattern:expr) => {{
        static CELL: OnceLock<Option<Regex>> = OnceLock::new();
        re(&CELL, $pattern)
    }};
}

/// Check `value` against `format`. `None` when it conforms or the format is one we do
/// not check; otherwise a short description of what was expected.
pub(crate) fn check(format: &str, value: &str) -> Option<&'static str> {
    let ok = match format {
        "byte" => base64::engine::general_purpose::STANDARD
            .decode(value)
            .is_ok(),
        "date" => matches(regex!(r"^\d{4}-\d{2}-\d{2}$"), value),
        "date-time" | "datetime" => matches(
            regex!(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"),
            value,
        ),
        "uuid" | "uuid3" | "uuid4" | "uuid5" => matches(
            regex!(r"^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$"),
            value,
        ),
        "ipv4" => value.parse::<Ipv4Addr>().is_ok(),
        "ipv6" => value.parse::<Ipv6Addr>().is_ok(),
        "cidr" => is_cidr(value),
        "mac" => matches(
            regex!(r"^(?i)([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$|^(?i)([0-9a-f]{4}\.){2}[0-9a-f]{4}$"),
            value,
        ),
        "hostname" => is_dns1123_subdomain(value),
        "email" => matches(regex!(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), value),
        "duration" => matches(
            regex!(r"^[-+]?([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+$|^0$"),
            value,
        ),
        "quantity" => is_quantity(value),
        _ => true,
    };
    (!ok).then(|| describe(format))
}

fn describe(format: &str) -> &'static str {
    match format {
        "byte" => "base64-encoded data",
        "date" => "a date (YYYY-MM-DD)",
        "date-time" | "datetime" => "an RFC 3339 date-time (2024-01-02T03:04:05Z)",
        "uuid" | "uuid3" | "uuid4" | "uuid5" => "a UUID",
        "ipv4" => "an IPv4 address",
        "ipv6" => "an IPv6 address",
        "cidr" => "a CIDR block (10.0.0.0/8)",
        "mac" => "a MAC address",
        "hostname" => "a DNS host name",
        "email" => "an email address",
        "duration" => "a duration (1h30m, 45s)",
        "quantity" => "a quantity (500m, 1Gi, 2)",
        _ => "a value of this format",
    }
}

fn matches(re: Option<&Regex>, value: &str) -> bool {
    re.is_none_or(|r| r.is_match(value))
}

fn is_cidr(value: &str) -> bool {
    let Some((addr, bits)) = value.split_once('/') else {
        return false;
    };
    let Ok(bits) = bits.parse::<u8>() else {
        return false;
    };
    match addr.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => bits <= 32,
        Ok(IpAddr::V6(_)) => bits <= 128,
        Err(_) => false,
    }
}

/// The resource.Quantity grammar: a signed decimal number with an optional binary
/// (Ki..Ei), decimal (n, u, m, k, M..E) or exponent suffix.
pub(crate) fn is_quantity(value: &str) -> bool {
    matches(
        regex!(
            r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$"
        ),
        value,
    )
}

/// RFC 1123 subdomain: what most object names must be.
pub(crate) fn is_dns1123_subdomain(value: &str) -> bool {
    value.len() <= 253
        && matches(
            regex!(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"),
            value,
        )
}

/// A label value: empty, or up to 63 alphanumerics, `-`, `_`, `.`, starting and ending
/// alphanumeric.
pub(crate) fn is_label_value(value: &str) -> bool {
    value.len() <= 63
        && matches(
            regex!(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"),
            value,
        )
}

/// A label or annotation key: an optional DNS-subdomain prefix and `/`, then a name of up
/// to 63 characters.
pub(crate) fn is_qualified_name(value: &str) -> bool {
    let (prefix, name) = match value.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, value),
    };
    if let Some(p) = prefix
        && (p.is_empty() || !is_dns1123_subdomain(p))
    {
        return false;
    }
    !name.is_empty()
        && name.len() <= 63
        && matches(regex!(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$"), name)
}
