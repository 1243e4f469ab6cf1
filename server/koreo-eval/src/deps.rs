//! Reading names out of referenced paths (§9.2.3).
//!
//! The dependency extractor itself lives in `koreo-cel` ([`koreo_cel::extract_paths`]); the
//! engine then reads step labels and input names from the paths with a regular expression
//! whose `.` matches any character, reproduced here.

/// `re.match(r"{prefix}.(?P<name>[^.[]+)?\[?.*", path)`: the engine's way of reading a
/// label (`steps`) or input name (`inputs`) from a path. Note the `.` matches any one
/// character, so `steps_a.b` yields `a`.
pub fn name_after(prefix: &str, path: &str) -> Option<Option<String>> {
    let rest = path.strip_prefix(prefix)?;
    let mut chars = rest.chars();
    let c = chars.next()?;
    if c == '\n' {
        return None;
    }
    let rest = chars.as_str();
    let name: String = rest
        .chars()
        .take_while(|c| *c != '.' && *c != '[' && *c != '\n')
        .collect();
    Some(if name.is_empty() { None } else { Some(name) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_matches_like_python_re() {
        assert_eq!(name_after("steps", "steps.a.b"), Some(Some("a".into())));
        assert_eq!(name_after("steps", "steps_a.b"), Some(Some("a".into())));
        assert_eq!(name_after("steps", "steps"), None);
        assert_eq!(name_after("inputs", "inputs.x[0]"), Some(Some("x".into())));
        assert_eq!(name_after("inputs", "locals.x"), None);
    }
}
