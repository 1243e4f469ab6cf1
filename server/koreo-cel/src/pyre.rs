//! Python's `re` pattern language: a parser that accepts and rejects exactly what Python
//! 3.13's `re._parser` (plus the compiler's look-behind check) does, and a translation of
//! the parsed pattern into `regex` / `fancy-regex` syntax with Python's meaning.
//!
//! Python's rules differ from the Rust crates' in many corners — `$` also matches before a
//! final newline, `{` is literal unless it forms a valid repeat, `[` is literal inside a
//! class, `\s`/`\w` cover slightly different characters, repeating an anchor is an error,
//! possessive quantifiers and atomic groups exist — so patterns are parsed here rather than
//! handed over as text.

/// Why Python rejects a pattern: the exception `re.compile` raises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternError {
    /// `re.PatternError` (the engine reports `match error`), with Python's message.
    Syntax(String),
    /// `OverflowError` (a repeat count beyond 4294967294).
    Overflow(String),
    /// `ValueError` (incompatible global flags).
    Value(String),
}

const MAXREPEAT: u64 = 4_294_967_295;
const MAXWIDTH: u128 = 1 << 64;

const F_I: u8 = 1;
const F_M: u8 = 2;
const F_S: u8 = 4;
const F_X: u8 = 8;
const F_A: u8 = 16;
const F_U: u8 = 32;
const F_L: u8 = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cat {
    Digit,
    NotDigit,
    Space,
    NotSpace,
    Word,
    NotWord,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    Lit(char),
    Range(char, char),
    Cat(Cat),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    Begin,
    End,
    BeginString,
    EndString,
    Boundary,
    NonBoundary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RepeatKind {
    Greedy,
    Lazy,
    Possessive,
}

#[derive(Clone, Debug)]
enum Node {
    Lit(char),
    Any,
    Class {
        negate: bool,
        items: Vec<Item>,
    },
    At(At),
    /// A capturing group (`group`) or a non-capturing one with scoped flags.
    Group {
        group: Option<usize>,
        add: u8,
        del: u8,
        body: Vec<Node>,
    },
    Atomic(Vec<Node>),
    Assert {
        behind: bool,
        negate: bool,
        body: Vec<Node>,
    },
    Failure,
    Repeat {
        min: u64,
        max: u64,
        kind: RepeatKind,
        body: Vec<Node>,
    },
    Branch(Vec<Vec<Node>>),
    GroupRef(usize),
    GroupRefExists {
        group: usize,
        yes: Vec<Node>,
        no: Option<Vec<Node>>,
    },
}

/// A parsed pattern.
#[derive(Debug)]
pub struct Parsed {
    nodes: Vec<Node>,
    flags: u8,
}

struct State {
    flags: u8,
    groupdict: Vec<(String, usize)>,
    /// Width of each closed group (index 0 unused); `None` while open.
    groupwidths: Vec<Option<(u128, u128)>>,
    lookbehindgroups: Option<usize>,
    grouprefpos: Vec<(usize, usize)>,
}

impl State {
    fn groups(&self) -> usize {
        self.groupwidths.len()
    }
    fn checkgroup(&self, gid: usize) -> bool {
        gid < self.groups() && self.groupwidths[gid].is_some()
    }
    fn group_by_name(&self, name: &str) -> Option<usize> {
        self.groupdict
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, g)| *g)
    }
}

/// The tokenizer: one char, or a backslash with the char after it.
struct Source<'a> {
    chars: &'a [char],
    pattern: &'a str,
    index: usize,
    next: Option<Tok>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Char(char),
    Esc(char),
}

impl<'a> Source<'a> {
    fn new(pattern: &'a str, chars: &'a [char]) -> Result<Source<'a>, PatternError> {
        let mut s = Source {
            chars,
            pattern,
            index: 0,
            next: None,
        };
        s.advance()?;
        Ok(s)
    }

    fn advance(&mut self) -> Result<(), PatternError> {
        let Some(&c) = self.chars.get(self.index) else {
            self.next = None;
            return Ok(());
        };
        if c == '\\' {
            let Some(&d) = self.chars.get(self.index + 1) else {
                return Err(error_at(
                    self.pattern,
                    "bad escape (end of pattern)",
                    self.chars.len() - 1,
                ));
            };
            self.index += 2;
            self.next = Some(Tok::Esc(d));
        } else {
            self.index += 1;
            self.next = Some(Tok::Char(c));
        }
        Ok(())
    }

    fn tok_len(t: Option<Tok>) -> usize {
        match t {
            Some(Tok::Esc(_)) => 2,
            Some(Tok::Char(_)) => 1,
            None => 0,
        }
    }

    fn tell(&self) -> usize {
        self.index - Self::tok_len(self.next)
    }

    fn seek(&mut self, index: usize) -> Result<(), PatternError> {
        self.index = index;
        self.advance()
    }

    fn get(&mut self) -> Result<Option<Tok>, PatternError> {
        let t = self.next;
        self.advance()?;
        Ok(t)
    }

    fn matches(&mut self, c: char) -> Result<bool, PatternError> {
        if self.next == Some(Tok::Char(c)) {
            self.advance()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn next_is_char(&self, pred: impl Fn(char) -> bool) -> bool {
        matches!(self.next, Some(Tok::Char(c)) if pred(c))
    }

    fn error(&self, msg: impl Into<String>, offset: usize) -> PatternError {
        error_at(
            self.pattern,
            &msg.into(),
            self.tell().saturating_sub(offset),
        )
    }

    /// `getwhile(n, charset)`: up to `n` plain chars satisfying `pred`.
    fn getwhile(&mut self, n: usize, pred: impl Fn(char) -> bool) -> Result<String, PatternError> {
        let mut out = String::new();
        for _ in 0..n {
            match self.next {
                Some(Tok::Char(c)) if pred(c) => {
                    out.push(c);
                    self.advance()?;
                }
                _ => break,
            }
        }
        Ok(out)
    }

    /// `getuntil(terminator, name)`.
    fn getuntil(&mut self, term: char, name: &str) -> Result<String, PatternError> {
        let mut out = String::new();
        loop {
            let c = self.next;
            self.advance()?;
            match c {
                None => {
                    if out.is_empty() {
                        return Err(self.error(format!("missing {name}"), 0));
                    }
                    return Err(self.error(
                        format!("missing {term}, unterminated name"),
                        out.chars().count(),
                    ));
                }
                Some(Tok::Char(c)) if c == term => {
                    if out.is_empty() {
                        return Err(self.error(format!("missing {name}"), 1));
                    }
                    return Ok(out);
                }
                Some(Tok::Char(c)) => out.push(c),
                Some(Tok::Esc(c)) => {
                    out.push('\\');
                    out.push(c);
                }
            }
        }
    }

    fn checkgroupname(&self, name: &str, offset: usize) -> Result<(), PatternError> {
        if !is_identifier(name) {
            return Err(self.error(
                format!(
                    "bad character in group name {}",
                    crate::python::py_str_repr(name)
                ),
                name.chars().count() + offset,
            ));
        }
        Ok(())
    }
}

/// `str.isidentifier()` (close enough: Unicode letters/digits/underscore, not starting with
/// a digit).
fn is_identifier(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c == '_' || c.is_alphabetic())
        && cs.all(|c| c == '_' || c.is_alphanumeric())
}

fn error_at(pattern: &str, msg: &str, pos: usize) -> PatternError {
    let mut text = format!("{msg} at position {pos}");
    if pattern.contains('\n') {
        let before: String = pattern.chars().take(pos).collect();
        let line = before.matches('\n').count() + 1;
        let col = pos
            - before
                .rfind('\n')
                .map_or(0, |i| before[..=i].chars().count())
            + 1;
        let col = if line == 1 { pos + 1 } else { col };
        text = format!("{text} (line {line}, column {col})");
    }
    PatternError::Syntax(text)
}

fn flag_of(c: char) -> Option<u8> {
    Some(match c {
        'i' => F_I,
        'L' => F_L,
        'm' => F_M,
        's' => F_S,
        'x' => F_X,
        'a' => F_A,
        'u' => F_U,
        _ => return None,
    })
}

const TYPE_FLAGS: u8 = F_A | F_L | F_U;

/// Parses a Python `re` pattern (a `str` pattern, no flags argument).
pub fn parse(pattern: &str) -> Result<Parsed, PatternError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut src = Source::new(pattern, &chars)?;
    let mut st = State {
        flags: 0,
        groupdict: Vec::new(),
        groupwidths: vec![None],
        lookbehindgroups: None,
        grouprefpos: Vec::new(),
    };
    let nodes = parse_sub(&mut src, &mut st, false, 0)?;
    // fix_flags for a str pattern.
    if st.flags & F_L != 0 {
        return Err(PatternError::Value(
            "cannot use LOCALE flag with a str pattern".into(),
        ));
    }
    if st.flags & F_A != 0 && st.flags & F_U != 0 {
        return Err(PatternError::Value(
            "ASCII and UNICODE flags are incompatible".into(),
        ));
    }
    if src.next.is_some() {
        return Err(src.error("unbalanced parenthesis", 0));
    }
    for &(g, pos) in &st.grouprefpos {
        if g >= st.groups() {
            return Err(error_at(
                pattern,
                &format!("invalid group reference {g}"),
                pos,
            ));
        }
    }
    check_lookbehinds(&nodes, &st)?;
    Ok(Parsed {
        nodes,
        flags: st.flags,
    })
}

fn parse_sub(
    src: &mut Source,
    st: &mut State,
    mut verbose: bool,
    nested: usize,
) -> Result<Vec<Node>, PatternError> {
    let mut items: Vec<Vec<Node>> = Vec::new();
    loop {
        let first = nested == 0 && items.is_empty();
        items.push(parse_seq(src, st, verbose, nested + 1, first)?);
        if !src.matches('|')? {
            break;
        }
        if nested == 0 {
            verbose = st.flags & F_X != 0;
        }
    }
    if items.len() == 1 {
        return Ok(items.pop().unwrap_or_default());
    }
    Ok(vec![Node::Branch(items)])
}

fn parse_seq(
    src: &mut Source,
    st: &mut State,
    mut verbose: bool,
    nested: usize,
    first: bool,
) -> Result<Vec<Node>, PatternError> {
    let mut seq: Vec<Node> = Vec::new();
    while let Some(this) = src.next {
        if matches!(this, Tok::Char('|' | ')')) {
            break;
        }
        src.get()?;
        if verbose {
            match this {
                Tok::Char(' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c') => continue,
                Tok::Char('#') => {
                    loop {
                        match src.get()? {
                            None | Some(Tok::Char('\n')) => break,
                            _ => {}
                        }
                    }
                    continue;
                }
                _ => {}
            }
        }
        match this {
            Tok::Esc(c) => seq.push(escape(src, st, c)?),
            Tok::Char(c) if !".\\[{()*+?^$|".contains(c) => seq.push(Node::Lit(c)),
            Tok::Char('[') => seq.push(parse_class(src)?),
            Tok::Char(c @ ('*' | '+' | '?' | '{')) => {
                let here = src.tell();
                let (min, max) = match c {
                    '?' => (0, 1),
                    '*' => (0, MAXREPEAT),
                    '+' => (1, MAXREPEAT),
                    _ => {
                        if src.next == Some(Tok::Char('}')) {
                            seq.push(Node::Lit('{'));
                            continue;
                        }
                        let lo = src.getwhile(usize::MAX, |c| c.is_ascii_digit())?;
                        let hi = if src.matches(',')? {
                            src.getwhile(usize::MAX, |c| c.is_ascii_digit())?
                        } else {
                            lo.clone()
                        };
                        if !src.matches('}')? {
                            seq.push(Node::Lit('{'));
                            src.seek(here)?;
                            continue;
                        }
                        let num = |s: &str| -> Result<u64, PatternError> {
                            match s.parse::<u64>() {
                                Ok(v) if v < MAXREPEAT => Ok(v),
                                _ => Err(PatternError::Overflow(
                                    "the repetition number is too large".into(),
                                )),
                            }
                        };
                        let min = if lo.is_empty() { 0 } else { num(&lo)? };
                        let max = if hi.is_empty() { MAXREPEAT } else { num(&hi)? };
                        if !hi.is_empty() && max < min {
                            return Err(
                                src.error("min repeat greater than max repeat", src.tell() - here)
                            );
                        }
                        (min, max)
                    }
                };
                let this_len = 1;
                let item = seq.pop();
                let item = match item {
                    None | Some(Node::At(_)) => {
                        return Err(src.error("nothing to repeat", src.tell() - here + this_len));
                    }
                    Some(Node::Repeat { .. }) => {
                        return Err(src.error("multiple repeat", src.tell() - here + this_len));
                    }
                    Some(Node::Group {
                        group: None,
                        add: 0,
                        del: 0,
                        body,
                    }) => body,
                    Some(other) => vec![other],
                };
                let kind = if src.matches('?')? {
                    RepeatKind::Lazy
                } else if src.matches('+')? {
                    RepeatKind::Possessive
                } else {
                    RepeatKind::Greedy
                };
                seq.push(Node::Repeat {
                    min,
                    max,
                    kind,
                    body: item,
                });
            }
            Tok::Char('.') => seq.push(Node::Any),
            Tok::Char('(') => {
                let start = src.tell() - 1;
                let mut capture = true;
                let mut atomic = false;
                let mut name: Option<String> = None;
                let mut add = 0u8;
                let mut del = 0u8;
                if src.matches('?')? {
                    let Some(ch) = src.get()? else {
                        return Err(src.error("unexpected end of pattern", 0));
                    };
                    match ch {
                        Tok::Char('P') => {
                            if src.matches('<')? {
                                let n = src.getuntil('>', "group name")?;
                                src.checkgroupname(&n, 1)?;
                                name = Some(n);
                            } else if src.matches('=')? {
                                let n = src.getuntil(')', "group name")?;
                                src.checkgroupname(&n, 1)?;
                                let Some(gid) = st.group_by_name(&n) else {
                                    return Err(src.error(
                                        format!(
                                            "unknown group name {}",
                                            crate::python::py_str_repr(&n)
                                        ),
                                        n.chars().count() + 1,
                                    ));
                                };
                                if !st.checkgroup(gid) {
                                    return Err(src.error(
                                        "cannot refer to an open group",
                                        n.chars().count() + 1,
                                    ));
                                }
                                checklookbehindgroup(st, gid, src)?;
                                seq.push(Node::GroupRef(gid));
                                continue;
                            } else {
                                let Some(c) = src.get()? else {
                                    return Err(src.error("unexpected end of pattern", 0));
                                };
                                let shown = tok_text(c);
                                return Err(src.error(
                                    format!("unknown extension ?P{shown}"),
                                    shown.chars().count() + 2,
                                ));
                            }
                        }
                        Tok::Char(':') => capture = false,
                        Tok::Char('#') => {
                            loop {
                                if src.next.is_none() {
                                    return Err(src.error(
                                        "missing ), unterminated comment",
                                        src.tell() - start,
                                    ));
                                }
                                if src.get()? == Some(Tok::Char(')')) {
                                    break;
                                }
                            }
                            continue;
                        }
                        Tok::Char(c @ ('=' | '!' | '<')) => {
                            let mut c = c;
                            let mut behind = false;
                            let mut saved_lbg = None;
                            if c == '<' {
                                let Some(d) = src.get()? else {
                                    return Err(src.error("unexpected end of pattern", 0));
                                };
                                match d {
                                    Tok::Char(x @ ('=' | '!')) => c = x,
                                    other => {
                                        let shown = tok_text(other);
                                        return Err(src.error(
                                            format!("unknown extension ?<{shown}"),
                                            shown.chars().count() + 2,
                                        ));
                                    }
                                }
                                behind = true;
                                saved_lbg = Some(st.lookbehindgroups);
                                if st.lookbehindgroups.is_none() {
                                    st.lookbehindgroups = Some(st.groups());
                                }
                            }
                            let p = parse_sub(src, st, verbose, nested + 1)?;
                            if let Some(None) = saved_lbg {
                                st.lookbehindgroups = None;
                            }
                            if !src.matches(')')? {
                                return Err(src.error(
                                    "missing ), unterminated subpattern",
                                    src.tell() - start,
                                ));
                            }
                            if c == '=' {
                                seq.push(Node::Assert {
                                    behind,
                                    negate: false,
                                    body: p,
                                });
                            } else if !p.is_empty() {
                                seq.push(Node::Assert {
                                    behind,
                                    negate: true,
                                    body: p,
                                });
                            } else {
                                seq.push(Node::Failure);
                            }
                            continue;
                        }
                        Tok::Char('(') => {
                            let condname = src.getuntil(')', "group name")?;
                            let cond = if condname.chars().all(|c| c.is_ascii_digit()) {
                                let g: usize = condname.parse().unwrap_or(usize::MAX);
                                if g == 0 {
                                    return Err(
                                        src.error("bad group number", condname.chars().count() + 1)
                                    );
                                }
                                if g >= 100 {
                                    return Err(src.error(
                                        format!("invalid group reference {g}"),
                                        condname.chars().count() + 1,
                                    ));
                                }
                                if !st.grouprefpos.iter().any(|(x, _)| *x == g) {
                                    st.grouprefpos
                                        .push((g, src.tell() - condname.chars().count() - 1));
                                }
                                g
                            } else {
                                src.checkgroupname(&condname, 1)?;
                                match st.group_by_name(&condname) {
                                    Some(g) => g,
                                    None => {
                                        return Err(src.error(
                                            format!(
                                                "unknown group name {}",
                                                crate::python::py_str_repr(&condname)
                                            ),
                                            condname.chars().count() + 1,
                                        ));
                                    }
                                }
                            };
                            checklookbehindgroup(st, cond, src)?;
                            let yes = parse_seq(src, st, verbose, nested + 1, false)?;
                            let no = if src.matches('|')? {
                                let no = parse_seq(src, st, verbose, nested + 1, false)?;
                                if src.next == Some(Tok::Char('|')) {
                                    return Err(src.error(
                                        "conditional backref with more than two branches",
                                        0,
                                    ));
                                }
                                Some(no)
                            } else {
                                None
                            };
                            if !src.matches(')')? {
                                return Err(src.error(
                                    "missing ), unterminated subpattern",
                                    src.tell() - start,
                                ));
                            }
                            seq.push(Node::GroupRefExists {
                                group: cond,
                                yes,
                                no,
                            });
                            continue;
                        }
                        Tok::Char('>') => {
                            capture = false;
                            atomic = true;
                        }
                        Tok::Char(c) if flag_of(c).is_some() || c == '-' => {
                            match parse_flags(src, st, c)? {
                                None => {
                                    if !first || !seq.is_empty() {
                                        return Err(src.error(
                                            "global flags not at the start of the expression",
                                            src.tell() - start,
                                        ));
                                    }
                                    verbose = st.flags & F_X != 0;
                                    continue;
                                }
                                Some((a, d)) => {
                                    add = a;
                                    del = d;
                                    capture = false;
                                }
                            }
                        }
                        other => {
                            let shown = tok_text(other);
                            return Err(src.error(
                                format!("unknown extension ?{shown}"),
                                shown.chars().count() + 1,
                            ));
                        }
                    }
                }
                let group = if capture {
                    let gid = st.groups();
                    if gid >= 100 {
                        return Err(src.error("too many groups", 0));
                    }
                    st.groupwidths.push(None);
                    if let Some(n) = &name {
                        if let Some(old) = st.group_by_name(n) {
                            return Err(src.error(
                                format!(
                                    "redefinition of group name {} as group {gid}; was group {old}",
                                    crate::python::py_str_repr(n)
                                ),
                                n.chars().count() + 1,
                            ));
                        }
                        st.groupdict.push((n.clone(), gid));
                    }
                    Some(gid)
                } else {
                    None
                };
                let sub_verbose = (verbose || add & F_X != 0) && del & F_X == 0;
                let p = parse_sub(src, st, sub_verbose, nested + 1)?;
                if !src.matches(')')? {
                    return Err(src.error("missing ), unterminated subpattern", src.tell() - start));
                }
                if let Some(g) = group {
                    let w = width(&p, st);
                    st.groupwidths[g] = Some(w);
                }
                if atomic {
                    seq.push(Node::Atomic(p));
                } else {
                    seq.push(Node::Group {
                        group,
                        add,
                        del,
                        body: p,
                    });
                }
            }
            Tok::Char('^') => seq.push(Node::At(At::Begin)),
            Tok::Char('$') => seq.push(Node::At(At::End)),
            Tok::Char(c) => seq.push(Node::Lit(c)),
        }
    }
    // Unpack flag-less non-capturing groups.
    let mut out = Vec::with_capacity(seq.len());
    for n in seq {
        match n {
            Node::Group {
                group: None,
                add: 0,
                del: 0,
                body,
            } => out.extend(body),
            other => out.push(other),
        }
    }
    Ok(out)
}

fn tok_text(t: Tok) -> String {
    match t {
        Tok::Char(c) => c.to_string(),
        Tok::Esc(c) => format!("\\{c}"),
    }
}

fn checklookbehindgroup(st: &State, gid: usize, src: &Source) -> Result<(), PatternError> {
    if let Some(lbg) = st.lookbehindgroups {
        if !st.checkgroup(gid) {
            return Err(src.error("cannot refer to an open group", 0));
        }
        if gid >= lbg {
            return Err(src.error(
                "cannot refer to group defined in the same lookbehind subpattern",
                0,
            ));
        }
    }
    Ok(())
}

fn parse_flags(
    src: &mut Source,
    st: &mut State,
    first: char,
) -> Result<Option<(u8, u8)>, PatternError> {
    let mut add = 0u8;
    let mut del = 0u8;
    let mut ch = Some(Tok::Char(first));
    if first != '-' {
        while let Some(Tok::Char(c)) = ch {
            let Some(flag) = flag_of(c) else { break };
            if c == 'L' {
                return Err(src.error(
                    "bad inline flags: cannot use 'L' flag with a str pattern",
                    0,
                ));
            }
            add |= flag;
            if flag & TYPE_FLAGS != 0 && add & TYPE_FLAGS != flag {
                return Err(src.error(
                    "bad inline flags: flags 'a', 'u' and 'L' are incompatible",
                    0,
                ));
            }
            ch = src.get()?;
            match ch {
                None => return Err(src.error("missing -, : or )", 0)),
                Some(Tok::Char(')' | '-' | ':')) => break,
                Some(Tok::Char(c)) if flag_of(c).is_some() => {}
                Some(other) => {
                    let msg = if matches!(other, Tok::Char(c) if c.is_alphabetic()) {
                        "unknown flag"
                    } else {
                        "missing -, : or )"
                    };
                    return Err(src.error(msg, Source::tok_len(Some(other)).min(1)));
                }
            }
        }
    }
    if ch == Some(Tok::Char(')')) {
        st.flags |= add;
        return Ok(None);
    }
    if ch == Some(Tok::Char('-')) {
        ch = src.get()?;
        match ch {
            None => return Err(src.error("missing flag", 0)),
            Some(Tok::Char(c)) if flag_of(c).is_some() => {}
            Some(other) => {
                let msg = if matches!(other, Tok::Char(c) if c.is_alphabetic()) {
                    "unknown flag"
                } else {
                    "missing flag"
                };
                return Err(src.error(msg, 1));
            }
        }
        while let Some(Tok::Char(c)) = ch {
            let Some(flag) = flag_of(c) else { break };
            if flag & TYPE_FLAGS != 0 {
                return Err(src.error(
                    "bad inline flags: cannot turn off flags 'a', 'u' and 'L'",
                    0,
                ));
            }
            del |= flag;
            ch = src.get()?;
            match ch {
                None => return Err(src.error("missing :", 0)),
                Some(Tok::Char(':')) => break,
                Some(Tok::Char(c)) if flag_of(c).is_some() => {}
                Some(other) => {
                    let msg = if matches!(other, Tok::Char(c) if c.is_alphabetic()) {
                        "unknown flag"
                    } else {
                        "missing :"
                    };
                    return Err(src.error(msg, 1));
                }
            }
        }
    }
    if add & del != 0 {
        return Err(src.error("bad inline flags: flag turned on and off", 1));
    }
    Ok(Some((add, del)))
}

fn category(c: char) -> Option<Cat> {
    Some(match c {
        'd' => Cat::Digit,
        'D' => Cat::NotDigit,
        's' => Cat::Space,
        'S' => Cat::NotSpace,
        'w' => Cat::Word,
        'W' => Cat::NotWord,
        _ => return None,
    })
}

fn simple_escape(c: char) -> Option<char> {
    Some(match c {
        'a' => '\x07',
        'f' => '\x0c',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\x0b',
        '\\' => '\\',
        _ => return None,
    })
}

/// `\x`, `\u`, `\U`, `\N{…}` escapes shared by both contexts.
fn code_escape(src: &mut Source, c: char) -> Result<Option<char>, PatternError> {
    let (n, prefix) = match c {
        'x' => (2, "\\x"),
        'u' => (4, "\\u"),
        'U' => (8, "\\U"),
        'N' => {
            if !src.matches('{')? {
                return Err(src.error("missing {", 0));
            }
            let name = src.getuntil('}', "character name")?;
            return match unicode_name(&name) {
                Some(ch) => Ok(Some(ch)),
                None => Err(src.error(
                    format!(
                        "undefined character name {}",
                        crate::python::py_str_repr(&name)
                    ),
                    name.chars().count() + 4,
                )),
            };
        }
        _ => return Ok(None),
    };
    let digits = src.getwhile(n, |c| c.is_ascii_hexdigit())?;
    if digits.len() != n {
        let esc = format!("{prefix}{digits}");
        let len = esc.chars().count();
        return Err(src.error(format!("incomplete escape {esc}"), len));
    }
    let v = u32::from_str_radix(&digits, 16).unwrap_or(0);
    match char::from_u32(v) {
        Some(ch) => Ok(Some(ch)),
        // Surrogates are legal code points in Python patterns; they never match a Rust
        // string, so a private stand-in that cannot occur in text is used.
        None if (0xd800..0xe000).contains(&v) => Ok(Some('\u{10FFFF}')),
        None => Err(src.error(format!("bad escape {prefix}{digits}"), n + 2)),
    }
}

/// A few `\N{…}` names (Python knows all of Unicode; we know the common ones).
fn unicode_name(name: &str) -> Option<char> {
    let upper = name.to_ascii_uppercase();
    Some(match upper.as_str() {
        "SPACE" => ' ',
        "HYPHEN-MINUS" => '-',
        "EM DASH" => '\u{2014}',
        "EN DASH" => '\u{2013}',
        "NO-BREAK SPACE" => '\u{a0}',
        "LINE FEED" | "LF" => '\n',
        "CHARACTER TABULATION" => '\t',
        "FULL STOP" => '.',
        "COMMA" => ',',
        "LOW LINE" => '_',
        "SOLIDUS" => '/',
        "REVERSE SOLIDUS" => '\\',
        "COLON" => ':',
        "SEMICOLON" => ';',
        "AMPERSAND" => '&',
        "ASTERISK" => '*',
        "PLUS SIGN" => '+',
        "EQUALS SIGN" => '=',
        "DIGIT ZERO" => '0',
        "LATIN SMALL LETTER A" => 'a',
        "LATIN CAPITAL LETTER A" => 'A',
        "LATIN SMALL LETTER E WITH ACUTE" => '\u{e9}',
        "SNOWMAN" => '\u{2603}',
        "GREEK SMALL LETTER ALPHA" => '\u{3b1}',
        _ => return None,
    })
}

fn escape(src: &mut Source, st: &mut State, c: char) -> Result<Node, PatternError> {
    match c {
        'A' => return Ok(Node::At(At::BeginString)),
        'Z' => return Ok(Node::At(At::EndString)),
        'b' => return Ok(Node::At(At::Boundary)),
        'B' => return Ok(Node::At(At::NonBoundary)),
        _ => {}
    }
    if let Some(cat) = category(c) {
        return Ok(Node::Class {
            negate: false,
            items: vec![Item::Cat(cat)],
        });
    }
    if let Some(ch) = simple_escape(c) {
        return Ok(Node::Lit(ch));
    }
    if let Some(ch) = code_escape(src, c)? {
        return Ok(Node::Lit(ch));
    }
    if c == '0' {
        let more = src.getwhile(2, |c| ('0'..='7').contains(&c))?;
        let v = u32::from_str_radix(&format!("0{more}"), 8).unwrap_or(0);
        return Ok(Node::Lit(char::from_u32(v).unwrap_or('\0')));
    }
    if c.is_ascii_digit() {
        let mut esc = String::from(c);
        if src.next_is_char(|d| d.is_ascii_digit()) {
            if let Some(Tok::Char(d)) = src.get()? {
                esc.push(d);
            }
            let octal = |x: char| ('0'..='7').contains(&x);
            if esc.chars().all(octal) && src.next_is_char(octal) {
                if let Some(Tok::Char(d)) = src.get()? {
                    esc.push(d);
                }
                let v = u32::from_str_radix(&esc, 8).unwrap_or(0);
                if v > 0o377 {
                    return Err(src.error(
                        format!("octal escape value \\{esc} outside of range 0-0o377"),
                        esc.len() + 1,
                    ));
                }
                return Ok(Node::Lit(char::from_u32(v).unwrap_or('\0')));
            }
        }
        let group: usize = esc.parse().unwrap_or(usize::MAX);
        if group < st.groups() {
            if !st.checkgroup(group) {
                return Err(src.error("cannot refer to an open group", esc.len() + 1));
            }
            checklookbehindgroup(st, group, src)?;
            return Ok(Node::GroupRef(group));
        }
        return Err(src.error(format!("invalid group reference {group}"), esc.len()));
    }
    if c.is_ascii_alphabetic() {
        return Err(src.error(format!("bad escape \\{c}"), 2));
    }
    Ok(Node::Lit(c))
}

/// An escape inside a character class.
fn class_escape(src: &mut Source, c: char) -> Result<Item, PatternError> {
    if let Some(ch) = simple_escape(c) {
        return Ok(Item::Lit(ch));
    }
    if c == 'b' {
        return Ok(Item::Lit('\x08'));
    }
    if let Some(cat) = category(c) {
        return Ok(Item::Cat(cat));
    }
    if let Some(ch) = code_escape(src, c)? {
        return Ok(Item::Lit(ch));
    }
    if ('0'..='7').contains(&c) {
        let more = src.getwhile(2, |c| ('0'..='7').contains(&c))?;
        let esc = format!("{c}{more}");
        let v = u32::from_str_radix(&esc, 8).unwrap_or(0);
        if v > 0o377 {
            return Err(src.error(
                format!("octal escape value \\{esc} outside of range 0-0o377"),
                esc.len() + 1,
            ));
        }
        return Ok(Item::Lit(char::from_u32(v).unwrap_or('\0')));
    }
    if c.is_ascii_alphanumeric() {
        return Err(src.error(format!("bad escape \\{c}"), 2));
    }
    Ok(Item::Lit(c))
}

fn parse_class(src: &mut Source) -> Result<Node, PatternError> {
    let here = src.tell() - 1;
    let negate = src.matches('^')?;
    let mut items: Vec<Item> = Vec::new();
    loop {
        let Some(this) = src.get()? else {
            return Err(src.error("unterminated character set", src.tell() - here));
        };
        if this == Tok::Char(']') && !items.is_empty() {
            break;
        }
        let code1 = match this {
            Tok::Esc(c) => class_escape(src, c)?,
            Tok::Char(c) => Item::Lit(c),
        };
        if src.matches('-')? {
            let Some(that) = src.get()? else {
                return Err(src.error("unterminated character set", src.tell() - here));
            };
            if that == Tok::Char(']') {
                items.push(code1);
                items.push(Item::Lit('-'));
                break;
            }
            let code2 = match that {
                Tok::Esc(c) => class_escape(src, c)?,
                Tok::Char(c) => Item::Lit(c),
            };
            let (Item::Lit(lo), Item::Lit(hi)) = (&code1, &code2) else {
                let msg = format!("bad character range {}-{}", tok_text(this), tok_text(that));
                let len = tok_text(this).chars().count() + 1 + tok_text(that).chars().count();
                return Err(src.error(msg, len));
            };
            if hi < lo {
                let msg = format!("bad character range {}-{}", tok_text(this), tok_text(that));
                let len = tok_text(this).chars().count() + 1 + tok_text(that).chars().count();
                return Err(src.error(msg, len));
            }
            items.push(Item::Range(*lo, *hi));
        } else {
            items.push(code1);
        }
    }
    Ok(Node::Class { negate, items })
}

/// `SubPattern.getwidth()`.
fn width(nodes: &[Node], st: &State) -> (u128, u128) {
    let mut lo: u128 = 0;
    let mut hi: u128 = 0;
    for n in nodes {
        let (a, b) = match n {
            Node::Lit(_) | Node::Any | Node::Class { .. } => (1, 1),
            Node::Branch(alts) => {
                let mut i = MAXWIDTH;
                let mut j = 0;
                for a in alts {
                    let (l, h) = width(a, st);
                    i = i.min(l);
                    j = j.max(h);
                }
                (i, j)
            }
            Node::Atomic(b) | Node::Group { body: b, .. } => width(b, st),
            Node::Repeat { min, max, body, .. } => {
                let (i, j) = width(body, st);
                let lo = i * *min as u128;
                let hi = if *max == MAXREPEAT && j > 0 {
                    MAXWIDTH
                } else {
                    j * *max as u128
                };
                (lo, hi)
            }
            Node::GroupRef(g) => st.groupwidths.get(*g).copied().flatten().unwrap_or((0, 0)),
            Node::GroupRefExists { yes, no, .. } => {
                let (i, j) = width(yes, st);
                match no {
                    Some(no) => {
                        let (l, h) = width(no, st);
                        (i.min(l), j.max(h))
                    }
                    None => (0, j),
                }
            }
            Node::At(_) | Node::Assert { .. } | Node::Failure => (0, 0),
        };
        lo = (lo + a).min(MAXWIDTH);
        hi = (hi + b).min(MAXWIDTH);
    }
    (lo.min(MAXWIDTH), hi.min(MAXWIDTH))
}

/// The compiler's look-behind check.
fn check_lookbehinds(nodes: &[Node], st: &State) -> Result<(), PatternError> {
    for n in nodes {
        match n {
            Node::Assert { behind, body, .. } => {
                if *behind {
                    let (lo, hi) = width(body, st);
                    if lo > 0xFFFF_FFFF {
                        return Err(PatternError::Syntax("looks too much behind".into()));
                    }
                    if lo != hi {
                        return Err(PatternError::Syntax(
                            "look-behind requires fixed-width pattern".into(),
                        ));
                    }
                }
                check_lookbehinds(body, st)?;
            }
            Node::Branch(alts) => {
                for a in alts {
                    check_lookbehinds(a, st)?;
                }
            }
            Node::Atomic(b) | Node::Group { body: b, .. } | Node::Repeat { body: b, .. } => {
                check_lookbehinds(b, st)?
            }
            Node::GroupRefExists { yes, no, .. } => {
                check_lookbehinds(yes, st)?;
                if let Some(no) = no {
                    check_lookbehinds(no, st)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The translated pattern and whether it needs the backtracking engine.
pub struct Translation {
    /// `regex` / `fancy-regex` syntax.
    pub pattern: String,
    /// Uses look-around, backreferences, atomic groups or conditionals.
    pub fancy: bool,
}

/// Translates a parsed pattern into Rust regex syntax with Python's meaning.
pub fn translate(p: &Parsed) -> Translation {
    let mut e = Emitter {
        out: String::new(),
        fancy: needs_fancy(&p.nodes),
    };
    // Unicode matching unless `(?a)`; LOCALE was rejected at parse time.
    e.seq(&p.nodes, p.flags);
    Translation {
        pattern: e.out,
        fancy: e.fancy,
    }
}

struct Emitter {
    out: String,
    fancy: bool,
}

const WORD: &str = "\\p{L}\\p{N}_";
const SPACE_EXTRA: &str = "\\x1C-\\x1F";

impl Emitter {
    fn seq(&mut self, nodes: &[Node], flags: u8) {
        for n in nodes {
            self.node(n, flags);
        }
    }

    fn lit(&mut self, c: char, flags: u8) {
        if flags & F_I != 0 && c.is_ascii_alphabetic() && flags & F_A != 0 {
            // ASCII-only case folding.
            self.out.push('[');
            self.out.push(c.to_ascii_lowercase());
            self.out.push(c.to_ascii_uppercase());
            self.out.push(']');
            return;
        }
        self.out
            .push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
    }

    /// Case-insensitivity in the Unicode sense, scoped to one atom.
    fn open_case(&mut self, flags: u8) -> bool {
        if flags & F_I != 0 && flags & F_A == 0 {
            self.out.push_str("(?i:");
            true
        } else {
            false
        }
    }

    fn cat(&mut self, cat: Cat, flags: u8, in_class: bool) {
        let ascii = flags & F_A != 0;
        let s = match (cat, ascii) {
            (Cat::Digit, false) => "\\d".to_string(),
            (Cat::NotDigit, false) => "\\D".to_string(),
            (Cat::Space, false) => format!("[\\s{SPACE_EXTRA}]"),
            (Cat::NotSpace, false) => format!("[^\\s{SPACE_EXTRA}]"),
            (Cat::Word, false) => format!("[{WORD}]"),
            (Cat::NotWord, false) => format!("[^{WORD}]"),
            (Cat::Digit, true) => "[0-9]".to_string(),
            (Cat::NotDigit, true) => "[^0-9]".to_string(),
            (Cat::Space, true) => "[ \\t\\n\\r\\x0C\\x0B]".to_string(),
            (Cat::NotSpace, true) => "[^ \\t\\n\\r\\x0C\\x0B]".to_string(),
            (Cat::Word, true) => "[a-zA-Z0-9_]".to_string(),
            (Cat::NotWord, true) => "[^a-zA-Z0-9_]".to_string(),
        };
        let _ = in_class;
        self.out.push_str(&s);
    }

    fn class(&mut self, negate: bool, items: &[Item], flags: u8) {
        let case = self.open_case(flags);
        self.out.push('[');
        if negate {
            self.out.push('^');
        }
        for it in items {
            match it {
                Item::Lit(c) => self.class_lit(*c, flags),
                Item::Range(a, b) => {
                    self.class_lit(*a, flags & !F_I);
                    self.out.push('-');
                    self.class_lit(*b, flags & !F_I);
                    if flags & F_I != 0 && flags & F_A != 0 {
                        // ASCII case folding of the letters in the range.
                        for (lo, hi, delta) in [('a', 'z', -32i32), ('A', 'Z', 32)] {
                            let s = (*a).max(lo);
                            let e = (*b).min(hi);
                            if s <= e {
                                let m = |c: char| char::from_u32((c as i32 + delta) as u32);
                                if let (Some(x), Some(y)) = (m(s), m(e)) {
                                    self.class_lit(x, 0);
                                    self.out.push('-');
                                    self.class_lit(y, 0);
                                }
                            }
                        }
                    }
                }
                Item::Cat(c) => self.cat(*c, flags, true),
            }
        }
        if items.is_empty() && !negate {
            // Cannot happen (Python needs one item) but keep the class non-empty-safe.
            self.out.push_str("\\x{10FFFF}");
        }
        self.out.push(']');
        if case {
            self.out.push(')');
        }
    }

    fn class_lit(&mut self, c: char, flags: u8) {
        if flags & F_I != 0 && flags & F_A != 0 && c.is_ascii_alphabetic() {
            self.out.push(c.to_ascii_lowercase());
            self.out.push(c.to_ascii_uppercase());
            return;
        }
        self.out
            .push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
    }

    fn group_body(&mut self, nodes: &[Node], flags: u8) {
        self.out.push_str("(?:");
        self.seq(nodes, flags);
        self.out.push(')');
    }

    fn node(&mut self, n: &Node, flags: u8) {
        match n {
            Node::Lit(c) => {
                let case = self.open_case(flags);
                self.lit(*c, flags);
                if case {
                    self.out.push(')');
                }
            }
            Node::Any => self
                .out
                .push_str(if flags & F_S != 0 { "(?s:.)" } else { "." }),
            Node::Class { negate, items } => self.class(*negate, items, flags),
            Node::At(a) => {
                let ascii = flags & F_A != 0;
                self.out.push_str(match a {
                    At::Begin if flags & F_M != 0 => "(?m:^)",
                    At::Begin => "\\A",
                    At::End if flags & F_M != 0 => "(?m:$)",
                    // End of text or before a final newline (consumed: only a boolean
                    // search is asked of us).
                    At::End => "(?:\\n?\\z)",
                    At::BeginString => "\\A",
                    At::EndString => "\\z",
                    // fancy-regex has no `(?-u:\\b)`: spell the ASCII boundary out.
                    At::Boundary if ascii && self.fancy => {
                        "(?:(?<=[a-zA-Z0-9_])(?![a-zA-Z0-9_])|(?<![a-zA-Z0-9_])(?=[a-zA-Z0-9_]))"
                    }
                    At::NonBoundary if ascii && self.fancy => {
                        "(?:(?<=[a-zA-Z0-9_])(?=[a-zA-Z0-9_])|(?<![a-zA-Z0-9_])(?![a-zA-Z0-9_]))"
                    }
                    At::Boundary if ascii => "(?-u:\\b)",
                    At::Boundary => "\\b",
                    At::NonBoundary if ascii => "(?-u:\\B)",
                    At::NonBoundary => "\\B",
                })
            }
            Node::Group {
                group,
                add,
                del,
                body,
            } => {
                let inner = (flags | add) & !del;
                if group.is_some() {
                    self.out.push('(');
                    self.seq(body, inner);
                    self.out.push(')');
                } else {
                    self.group_body(body, inner);
                }
            }
            Node::Atomic(body) => {
                self.fancy = true;
                self.out.push_str("(?>");
                self.seq(body, flags);
                self.out.push(')');
            }
            Node::Assert {
                behind,
                negate,
                body,
            } => {
                self.fancy = true;
                self.out.push_str(match (behind, negate) {
                    (false, false) => "(?=",
                    (false, true) => "(?!",
                    (true, false) => "(?<=",
                    (true, true) => "(?<!",
                });
                self.seq(body, flags);
                self.out.push(')');
            }
            Node::Failure => self.out.push_str("[^\\x{0}-\\x{10FFFF}]"),
            Node::Repeat { min, body, .. } if zero_width(body) => {
                // Repeating a zero-width item (Python allows it, the crates do not): with
                // no minimum it always succeeds, otherwise it is the item once.
                if *min > 0 {
                    self.group_body(body, flags);
                }
            }
            Node::Repeat {
                min,
                max,
                kind,
                body,
            } => {
                if *kind == RepeatKind::Possessive {
                    self.fancy = true;
                    self.out.push_str("(?>");
                }
                self.group_body(body, flags);
                let q = match (*min, *max) {
                    (0, MAXREPEAT) => "*".to_string(),
                    (1, MAXREPEAT) => "+".to_string(),
                    (0, 1) => "?".to_string(),
                    (m, MAXREPEAT) => format!("{{{m},}}"),
                    (m, x) if m == x => format!("{{{m}}}"),
                    (m, x) => format!("{{{m},{x}}}"),
                };
                self.out.push_str(&q);
                match kind {
                    RepeatKind::Lazy => self.out.push('?'),
                    RepeatKind::Possessive => self.out.push(')'),
                    RepeatKind::Greedy => {}
                }
            }
            Node::Branch(alts) => {
                self.out.push_str("(?:");
                for (i, a) in alts.iter().enumerate() {
                    if i > 0 {
                        self.out.push('|');
                    }
                    self.seq(a, flags);
                }
                self.out.push(')');
            }
            Node::GroupRef(g) => {
                self.fancy = true;
                self.out.push_str(&format!("\\{g}"));
            }
            Node::GroupRefExists { group, yes, no } => {
                self.fancy = true;
                self.out.push_str(&format!("(?({group})"));
                self.seq(yes, flags);
                self.out.push('|');
                if let Some(no) = no {
                    self.seq(no, flags);
                }
                self.out.push(')');
            }
        }
    }
}

/// Whether the translation needs the backtracking engine.
fn needs_fancy(nodes: &[Node]) -> bool {
    nodes.iter().any(|n| match n {
        Node::Atomic(_) | Node::Assert { .. } | Node::GroupRef(_) | Node::GroupRefExists { .. } => {
            true
        }
        Node::Repeat { kind, body, .. } => {
            (*kind == RepeatKind::Possessive && !zero_width(body)) || needs_fancy(body)
        }
        Node::Group { body, .. } => needs_fancy(body),
        Node::Branch(alts) => alts.iter().any(|a| needs_fancy(a)),
        _ => false,
    })
}

/// Whether `nodes` can only ever match the empty string at one position.
fn zero_width(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::At(_) | Node::Assert { .. } | Node::Failure => true,
        Node::Group { body, .. } | Node::Atomic(body) | Node::Repeat { body, .. } => {
            zero_width(body)
        }
        Node::Branch(alts) => alts.iter().all(|a| zero_width(a)),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(p: &str) -> String {
        match parse(p) {
            Err(PatternError::Syntax(m)) => m,
            other => panic!("{p}: {other:?}"),
        }
    }

    #[test]
    fn python_rejections() {
        // Messages checked against Python 3.13's `re.compile`.
        assert_eq!(err("^*"), "nothing to repeat at position 1");
        assert_eq!(err("a$+"), "nothing to repeat at position 2");
        assert_eq!(err("a**"), "multiple repeat at position 2");
        assert_eq!(err("a{2}{3}"), "multiple repeat at position 4");
        assert_eq!(err("\\e"), "bad escape \\e at position 0");
        assert_eq!(err("["), "unterminated character set at position 0");
        assert_eq!(
            err("a(?i)"),
            "global flags not at the start of the expression at position 1"
        );
        assert_eq!(err("(?<=a+)b"), "look-behind requires fixed-width pattern");
        assert_eq!(err("[z-a]"), "bad character range z-a at position 1");
        assert!(parse("a?+").is_ok());
        assert!(parse("(?=a)*").is_ok());
        assert!(parse("a{").is_ok());
        assert!(parse("x{,}").is_ok());
    }
}
