//! The two comparators of the engine: the reconcile comparator (§8.5), which only looks at
//! target fields and explains the first difference as a path, and the exact FunctionTest
//! comparator (§10.5), which reports every difference as a nested structure.
//!
//! Where the engine iterates Python sets (so which difference it names depends on hashing) we
//! follow CPython's set order under the oracle's `PYTHONHASHSEED=0` (`crate::pyset`, §12.2).

use crate::data::{Data, DataMap};

/// The directive keys, never compared and stripped before anything is sent to the API.
pub const DIRECTIVE_KEYS: [&str; 3] = [
    "x-koreo-compare-as-set",
    "x-koreo-compare-as-map",
    "x-koreo-compare-last-applied",
];

/// Whether `key` is one of the compare directives.
pub fn is_directive(key: &str) -> bool {
    DIRECTIVE_KEYS.contains(&key)
}

/// Result of the reconcile comparator: `None` when the resource matches, else the path of
/// the first difference (joined with `" -> "` in messages).
pub type ReconcileDiff = Option<Vec<String>>;

/// Compares a target (the TRS as plain data) with the actual resource, honouring the compare
/// directives and the last-applied configuration (§8.5).
pub fn reconcile_compare(
    target: &Data,
    actual: &Data,
    last_applied: Option<&Data>,
) -> ReconcileDiff {
    validate(target, actual, last_applied, false, 0)
}

const MAX_DEPTH: usize = 512;

fn validate(t: &Data, a: &Data, la: Option<&Data>, as_set: bool, depth: usize) -> ReconcileDiff {
    if depth > MAX_DEPTH {
        return None;
    }
    let one = |s: String| Some(vec![s]);
    match (t, a) {
        (Data::Map(tm), Data::Map(am)) => {
            return dict_match(tm, am, la.and_then(Data::as_map), depth);
        }
        (Data::Map(_), _) => return one(format!("<target:object, resource:{}>", a.py_type())),
        (_, Data::Map(_)) => return one(format!("<target:{}, resource:object>", t.py_type())),
        (Data::List(tl), Data::List(al)) => {
            return if as_set {
                set_match(tl, al)
            } else {
                list_match(tl, al, la.and_then(Data::as_list), depth)
            };
        }
        (Data::List(_), _) => return one(format!("<target:array, resource:{}>", a.py_type())),
        (_, Data::List(_)) => return one(format!("<target:{}, resource:array>", t.py_type())),
        (Data::Bool(x), Data::Bool(y)) => {
            return if x == y {
                None
            } else {
                one(format!(
                    "<target:[{}], resource:[{}]>",
                    t.py_str(),
                    a.py_str()
                ))
            };
        }
        (Data::Bool(_), _) => return one(format!("<target:bool, resource:{}>", a.py_type())),
        (_, Data::Bool(_)) => return one(format!("<target:{}, resource:bool>", t.py_type())),
        (_, Data::Null) if t.truthy() => {
            return one(format!(
                "<target:{}, resource:null or missing>",
                t.py_type()
            ));
        }
        (Data::Null, _) if a.truthy() => {
            // Sic: the engine's message has no closing `>`.
            return one(format!("<target:null, resource:{}", a.py_type()));
        }
        _ => {}
    }
    if t.py_eq(a) {
        None
    } else {
        one(format!(
            "<target:[{}], resource:[{}]>",
            t.py_str(),
            a.py_str()
        ))
    }
}

/// The keys listed by a directive (`x-koreo-compare-as-set: [a, b]`), falsy entries dropped.
fn directive_keys(m: &DataMap, name: &str) -> Vec<String> {
    match m.get(name) {
        Some(Data::List(items)) => items
            .iter()
            .filter(|i| i.truthy())
            .map(Data::py_str)
            .collect(),
        Some(Data::Str(s)) => s.chars().map(String::from).collect(),
        Some(Data::Map(keys)) => keys.keys().filter(|k| !k.is_empty()).cloned().collect(),
        _ => Vec::new(),
    }
}

/// `x-koreo-compare-as-map: {key: [field, ...]}`.
fn as_map_directive(m: &DataMap) -> Vec<(String, Vec<String>)> {
    match m.get("x-koreo-compare-as-map") {
        Some(Data::Map(entries)) => entries
            .iter()
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, fields)| {
                let fields = match fields {
                    Data::List(l) => l.iter().filter(|f| f.truthy()).map(Data::py_str).collect(),
                    Data::Str(s) => s.chars().map(String::from).collect(),
                    Data::Map(keys) => keys.keys().filter(|k| !k.is_empty()).cloned().collect(),
                    _ => Vec::new(),
                };
                (k.clone(), fields)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `"$".join(str(item.get(f)).strip() for f in fields)`.
fn item_key(item: &Data, fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| {
            let v = item
                .get(f)
                .map(Data::py_str)
                .unwrap_or_else(|| "None".into());
            crate::encode::py_strip(&v).to_string()
        })
        .collect::<Vec<_>>()
        .join("$")
}

/// A list of objects turned into a mapping keyed by the given fields.
fn list_to_object(list: &Data, fields: &[String]) -> DataMap {
    let mut out = DataMap::new();
    if let Data::List(items) = list {
        for item in items {
            out.insert(item_key(item, fields), item.clone());
        }
    }
    out
}

fn dict_match(t: &DataMap, a: &DataMap, la: Option<&DataMap>, depth: usize) -> ReconcileDiff {
    let as_set = directive_keys(t, "x-koreo-compare-as-set");
    let last_applied_keys = directive_keys(t, "x-koreo-compare-last-applied");
    let as_map = as_map_directive(t);
    // `for target_key in set(target.keys()) - KOREO_DIRECTIVE_KEYS`.
    let keys: Vec<&str> = t.keys().map(String::as_str).collect();
    for i in crate::pyset::str_difference_order(&keys, &DIRECTIVE_KEYS) {
        let key = keys[i];
        let tv = &t[key];
        if key == "ownerReferences" {
            continue;
        }
        let la_value = la.and_then(|m| m.get(key));
        let compare_value: Data = if last_applied_keys.iter().any(|k| k == key) {
            la_value.cloned().unwrap_or(Data::Null)
        } else {
            match a.get(key) {
                Some(v) => v.clone(),
                None => return Some(vec![format!("<missing '{key}' in resource>")]),
            }
        };
        let diff = if let Some((_, fields)) = as_map.iter().find(|(k, _)| k == key) {
            // The engine turns an empty or missing list into `None` before comparing.
            let conv = |d: &Data| {
                if d.truthy() {
                    Data::Map(list_to_object(d, fields))
                } else {
                    Data::Null
                }
            };
            let la_conv = la_value.map(conv);
            validate(
                &conv(tv),
                &conv(&compare_value),
                la_conv.as_ref(),
                false,
                depth + 1,
            )
        } else {
            validate(
                tv,
                &compare_value,
                la_value,
                as_set.iter().any(|k| k == key),
                depth + 1,
            )
        };
        if let Some(mut rest) = diff {
            let mut path = vec![format!("'{key}'")];
            path.append(&mut rest);
            return Some(path);
        }
    }
    None
}

fn list_match(t: &[Data], a: &[Data], la: Option<&[Data]>, depth: usize) -> ReconcileDiff {
    if t.is_empty() && a.is_empty() {
        return None;
    }
    if t.len() != a.len() {
        // Sic: no closing `>`.
        return Some(vec![format!(
            "<length mismatch target:{}, actual:{}",
            t.len(),
            a.len()
        )]);
    }
    for (i, (tv, av)) in t.iter().zip(a).enumerate() {
        let la_item = la.and_then(|l| l.get(i));
        if let Some(mut rest) = validate(tv, av, la_item, false, depth + 1) {
            let mut path = vec![format!("at index '{i}'")];
            path.append(&mut rest);
            return Some(path);
        }
    }
    None
}

/// Python `set()` of a list: unhashable elements make the engine give up with a message.
fn as_py_set(items: &[Data]) -> Result<Vec<&Data>, String> {
    let mut out: Vec<&Data> = Vec::new();
    for item in items {
        match item {
            Data::Map(_) => {
                return Err("Could not compare array-as-set, try: `x-koreo-compare-as-map`".into());
            }
            Data::List(_) => {
                return Err("Could not compare array-as-set (unhashable type: 'list')".into());
            }
            _ => {
                if !out.iter().any(|x| x.py_eq(item)) {
                    out.push(item);
                }
            }
        }
    }
    Ok(out)
}

/// `set(a) - set(b)` in CPython's iteration order (both already deduplicated).
fn py_set_difference<'a>(a: &[&'a Data], b: &[&'a Data]) -> Vec<&'a Data> {
    let hashes: Vec<i64> = a
        .iter()
        .map(|d| crate::pyset::hash_data(d).unwrap_or(0))
        .collect();
    crate::pyset::difference_order(
        &hashes,
        &|i, j| a[i].py_eq(a[j]),
        &|i| b.iter().any(|y| y.py_eq(a[i])),
        b.len(),
    )
    .into_iter()
    .map(|i| a[i])
    .collect()
}

/// Set differences: target elements missing from actual, then actual elements not in target.
fn set_differences<'a>(t: &[&'a Data], a: &[&'a Data]) -> (Vec<&'a Data>, Vec<&'a Data>) {
    (py_set_difference(t, a), py_set_difference(a, t))
}

fn set_match(t: &[Data], a: &[Data]) -> ReconcileDiff {
    if t.is_empty() && a.is_empty() {
        return None;
    }
    let ts = match as_py_set(t) {
        Ok(s) => s,
        Err(m) => return Some(vec![m]),
    };
    let as_ = match as_py_set(a) {
        Ok(s) => s,
        Err(m) => return Some(vec![m]),
    };
    let (missing, unexpected) = set_differences(&ts, &as_);
    if let Some(m) = missing.first() {
        return Some(vec![format!("<missing '{}'>", m.py_str())]);
    }
    if let Some(u) = unexpected.first() {
        return Some(vec![format!("<unexpectedly found '{}'>", u.py_str())]);
    }
    None
}

/// A difference found by the FunctionTest comparator (§10.5), shaped like the engine's
/// `differences` structure.
#[derive(Clone, Debug, PartialEq)]
pub enum Difference {
    /// An expected key the actual mapping lacks (`"missing"`).
    Missing,
    /// An actual key the expectation lacks (`"unexpected"`).
    Unexpected,
    /// A leaf mismatch, with the engine's text (``expected '`8080`' but found '`8080`'``).
    Mismatch(String),
    /// Differences below a mapping, per key.
    Map(Vec<(String, Difference)>),
    /// A list compared index by index; `None` for equal items.
    List(Vec<Option<Difference>>),
    /// Set differences (`<missing 'v'>`, `<unexpectedly found 'v'>`).
    Set(Vec<String>),
}

impl Difference {
    /// The engine's representation as plain data (`{'a': "expected ..."}`, lists with
    /// `None` for equal items).
    pub fn to_data(&self) -> Data {
        match self {
            Difference::Missing => Data::Str("missing".into()),
            Difference::Unexpected => Data::Str("unexpected".into()),
            Difference::Mismatch(m) => Data::Str(m.clone()),
            Difference::Map(entries) => Data::Map(
                entries
                    .iter()
                    .map(|(k, d)| (k.clone(), d.to_data()))
                    .collect(),
            ),
            Difference::List(items) => Data::List(
                items
                    .iter()
                    .map(|d| d.as_ref().map(Difference::to_data).unwrap_or(Data::Null))
                    .collect(),
            ),
            Difference::Set(items) => {
                Data::List(items.iter().map(|s| Data::Str(s.clone())).collect())
            }
        }
    }
}

/// Compares an expectation with an actual value exactly (§10.5). `None` when equal.
pub fn test_compare(expected: &Data, actual: &Data) -> Option<Difference> {
    test_validate(expected, actual, false, 0)
}

fn test_validate(t: &Data, a: &Data, as_set: bool, depth: usize) -> Option<Difference> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mismatch = |s: String| Some(Difference::Mismatch(s));
    match (t, a) {
        (Data::Map(tm), Data::Map(am)) => test_dict(tm, am, depth),
        (Data::Map(_), _) => mismatch(format!("expected `object` but found `{}`", a.py_type())),
        (_, Data::Map(_)) => mismatch(format!("expected `{}` but found `object`", t.py_type())),
        (Data::List(tl), Data::List(al)) => {
            if as_set {
                test_set(tl, al)
            } else {
                test_list(tl, al, depth)
            }
        }
        (Data::List(_), _) => mismatch(format!("expected `array` but found `{}`", a.py_type())),
        (_, Data::List(_)) => mismatch(format!("expected `{}` but found `array`", t.py_type())),
        (Data::Bool(x), Data::Bool(y)) => {
            if x == y {
                None
            } else {
                mismatch(format!(
                    "expected `{}` but found `{}`",
                    t.py_str(),
                    a.py_str()
                ))
            }
        }
        (Data::Bool(_), _) => mismatch(format!("expected `bool` but found `{}`", a.py_type())),
        (_, Data::Bool(_)) => mismatch(format!("expected `{}` but found `bool`", t.py_type())),
        _ => {
            if t.py_eq(a) {
                None
            } else {
                mismatch(format!(
                    "expected '`{}`' but found '`{}`'",
                    t.py_str(),
                    a.py_str()
                ))
            }
        }
    }
}

fn test_dict(t: &DataMap, a: &DataMap, depth: usize) -> Option<Difference> {
    let as_set = directive_keys(t, "x-koreo-compare-as-set");
    let as_map = as_map_directive(t);
    let mut diffs = Vec::new();
    // Deterministic order (§12.2): missing, then unexpected, then mismatches.
    for k in t.keys() {
        if !is_directive(k) && !a.contains_key(k) {
            diffs.push((k.clone(), Difference::Missing));
        }
    }
    for k in a.keys() {
        if !is_directive(k) && !t.contains_key(k) {
            diffs.push((k.clone(), Difference::Unexpected));
        }
    }
    for (k, tv) in t {
        if is_directive(k) {
            continue;
        }
        let Some(av) = a.get(k) else { continue };
        let d = if let Some((_, fields)) = as_map.iter().find(|(key, _)| key == k) {
            test_validate(
                &Data::Map(list_to_object(tv, fields)),
                &Data::Map(list_to_object(av, fields)),
                false,
                depth + 1,
            )
        } else {
            test_validate(tv, av, as_set.contains(k), depth + 1)
        };
        if let Some(d) = d {
            diffs.push((k.clone(), d));
        }
    }
    if diffs.is_empty() {
        None
    } else {
        Some(Difference::Map(diffs))
    }
}

fn test_list(t: &[Data], a: &[Data], depth: usize) -> Option<Difference> {
    if t.len() != a.len() {
        return Some(Difference::Mismatch(format!(
            "<length mismatch target:{}, actual:{}",
            t.len(),
            a.len()
        )));
    }
    let items: Vec<Option<Difference>> = t
        .iter()
        .zip(a)
        .map(|(x, y)| test_validate(x, y, false, depth + 1))
        .collect();
    if items.iter().all(Option::is_none) {
        None
    } else {
        Some(Difference::List(items))
    }
}

fn test_set(t: &[Data], a: &[Data]) -> Option<Difference> {
    let ts = match as_py_set(t) {
        Ok(s) => s,
        Err(m) => return Some(Difference::Mismatch(m)),
    };
    let as_ = match as_py_set(a) {
        Ok(s) => s,
        Err(m) => return Some(Difference::Mismatch(m)),
    };
    let (missing, unexpected) = set_differences(&ts, &as_);
    if missing.is_empty() && unexpected.is_empty() {
        return None;
    }
    let mut out: Vec<String> = missing
        .iter()
        .map(|m| format!("<missing '{}'>", m.py_str()))
        .collect();
    out.extend(
        unexpected
            .iter()
            .map(|u| format!("<unexpectedly found '{}'>", u.py_str())),
    );
    Some(Difference::Set(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(s: &str) -> Data {
        Data::from_json_text(s).expect("json")
    }

    #[test]
    fn reconcile_ignores_extra_actual_fields() {
        let t = j(r#"{"metadata": {"labels": {"app": "web"}}, "data": {"mode": "fast"}}"#);
        let a = j(
            r#"{"metadata": {"labels": {"app": "web", "team": "a"}}, "data": {"mode": "fast"}, "status": {}}"#,
        );
        assert_eq!(reconcile_compare(&t, &a, None), None);
        let a2 = j(r#"{"metadata": {"labels": {"app": "web"}}, "data": {"mode": "slow"}}"#);
        assert_eq!(
            reconcile_compare(&t, &a2, None).unwrap().join(" -> "),
            "'data' -> 'mode' -> <target:[fast], resource:[slow]>"
        );
    }

    #[test]
    fn reconcile_directives() {
        let t = j(
            r#"{"spec": {"x-koreo-compare-as-set": ["tags"], "tags": ["a", "b", "c"],
            "x-koreo-compare-as-map": {"ports": ["name"]},
            "ports": [{"name": "http", "port": 80}], "ordered": [1, 2]}}"#,
        );
        let a = j(
            r#"{"spec": {"tags": ["c", "a", "b"], "ports": [{"name": "http", "port": 80, "protocol": "TCP"}], "ordered": [1, 2]}}"#,
        );
        assert_eq!(reconcile_compare(&t, &a, None), None);
        let a = j(
            r#"{"spec": {"tags": ["a", "b"], "ports": [{"name": "http", "port": 80}], "ordered": [1, 2]}}"#,
        );
        assert_eq!(
            reconcile_compare(&t, &a, None).unwrap().join(" -> "),
            "'spec' -> 'tags' -> <missing 'c'>"
        );
        let a = j(
            r#"{"spec": {"tags": ["a", "b", "c"], "ports": [{"name": "http", "port": 80}], "ordered": [2, 1]}}"#,
        );
        assert_eq!(
            reconcile_compare(&t, &a, None).unwrap().join(" -> "),
            "'spec' -> 'ordered' -> at index '0' -> <target:[1], resource:[2]>"
        );
    }

    #[test]
    fn reconcile_last_applied() {
        let t = j(r#"{"spec": {"x-koreo-compare-last-applied": ["secret"], "secret": "s1"}}"#);
        let a = j(r#"{"spec": {"secret": "redacted"}}"#);
        let la = j(r#"{"spec": {"secret": "s1"}}"#);
        assert_eq!(reconcile_compare(&t, &a, Some(&la)), None);
        let la2 = j(r#"{"spec": {"secret": "s0"}}"#);
        assert_eq!(
            reconcile_compare(&t, &a, Some(&la2)).unwrap().join(" -> "),
            "'spec' -> 'secret' -> <target:[s1], resource:[s0]>"
        );
    }

    #[test]
    fn test_comparator_reports_everything() {
        let t = j(r#"{"a": "8080", "b": true, "c": [1, 2], "gone": 1}"#);
        let a = j(r#"{"a": 8080, "b": false, "c": [1, 3], "extra": 2}"#);
        let d = test_compare(&t, &a).unwrap();
        assert_eq!(
            d.to_data().py_repr(),
            "{'gone': 'missing', 'extra': 'unexpected', 'a': \"expected '`8080`' but found '`8080`'\", 'b': 'expected `True` but found `False`', 'c': [None, \"expected '`2`' but found '`3`'\"]}"
        );
        assert_eq!(test_compare(&j(r#"{"x": 3}"#), &j(r#"{"x": 3.0}"#)), None);
    }
}
