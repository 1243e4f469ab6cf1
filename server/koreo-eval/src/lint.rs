//! Lints: places where the engine does something a person would not expect. Each lint
//! computes nothing the evaluator does not already reproduce; it explains, at the node,
//! what will happen and how to write it instead.

use crate::cel::is_cel_identifier;
use crate::diag::{Diagnostic, Severity};
use crate::encode::{
    StringEncoding, encode, py_float_accepts, py_int_accepts, py_strip, string_encoding,
};
use crate::registry::Source;
use crate::resource::{Kind, ResourceRef};
use crate::spec::{SKind, SNode};
use koreo_cel_syntax::ast::{BinaryOp, Expr, ExprKind, Literal};
use koreo_syntax::yaml::Resolved;
use text_size::TextRange;

/// One lint: a stable code and the function that finds its problems.
pub struct Lint {
    /// Stable kebab-case code of the diagnostics it produces.
    pub code: &'static str,
    /// One line saying what it flags.
    pub description: &'static str,
    run: fn(&LintCtx<'_>, &mut Vec<Diagnostic>),
}

/// Every lint, in a stable order.
pub const LINTS: &[Lint] = &[
    Lint {
        code: "numeric-string",
        description: "a quoted number-like string becomes a number when the structure is encoded",
        run: numeric_strings,
    },
    Lint {
        code: "cel-escape-in-string",
        description: "backslash escapes in plain strings are interpreted by CEL",
        run: cooked_escapes,
    },
    Lint {
        code: "yaml11-scalar",
        description: "the reference tooling (PyYAML, YAML 1.1) and the controller read a plain scalar differently",
        run: yaml11_scalars,
    },
    Lint {
        code: "expression-in-static-field",
        description: "a `=` string in a field the engine never evaluates",
        run: static_expressions,
    },
    Lint {
        code: "int-double-arithmetic",
        description: "int and double operands in the int-first order fail or truncate",
        run: int_double,
    },
    Lint {
        code: "null-comparison",
        description: "`x == null` errors when x is a number, list or map",
        run: null_comparison,
    },
    Lint {
        code: "empty-literal-operand",
        description: "an empty `[]`/`{}` operand crashes the engine's error formatter",
        run: empty_literal,
    },
    Lint {
        code: "locals-self-reference",
        description: "`locals` cannot see `locals`",
        run: locals_self_reference,
    },
    Lint {
        code: "list-item-error",
        description: "one failing item makes a whole list literal an error",
        run: list_item_error,
    },
    Lint {
        code: "delete-ignored",
        description: "`delete:` is validated but ignored by the engine",
        run: delete_ignored,
    },
    Lint {
        code: "label-not-identifier",
        description: "a step label that is not a CEL identifier",
        run: labels,
    },
    Lint {
        code: "overlay-inputs-resource",
        description: "overlayRef inputs cannot see `resource`",
        run: overlay_inputs_resource,
    },
    Lint {
        code: "inputs-before-skip-if",
        description: "step inputs are evaluated before `skipIf`",
        run: inputs_before_skip_if,
    },
];

/// Context for one resource document.
pub struct LintCtx<'a> {
    /// The document.
    pub source: &'a Source,
    /// The resource's identity.
    pub resource: ResourceRef,
}

impl LintCtx<'_> {
    fn diag(
        &self,
        range: TextRange,
        severity: Severity,
        code: &'static str,
        message: String,
    ) -> Diagnostic {
        Diagnostic {
            file: self.source.key.file.clone(),
            resource: self.resource.clone(),
            range,
            severity,
            code,
            message,
            engine_message: None,
        }
    }

    fn raw(&self, range: TextRange) -> &str {
        self.source
            .text
            .get(usize::from(range.start())..usize::from(range.end()))
            .unwrap_or("")
    }

    /// A scalar written without quotes or block indicators (and without tag/anchor).
    fn is_plain(&self, node: &SNode) -> bool {
        !matches!(
            self.raw(node.range).chars().next(),
            Some('\'' | '"' | '|' | '>' | '!' | '&' | '*') | None
        )
    }
}

/// Runs every lint over one resource document.
pub fn lint_source(source: &Source) -> Vec<Diagnostic> {
    let ctx = LintCtx {
        source,
        resource: ResourceRef::new(source.kind, source.name.clone()),
    };
    let mut out = Vec::new();
    for lint in LINTS {
        (lint.run)(&ctx, &mut out);
    }
    out.sort_by_key(|d| (d.range.start(), d.code));
    out.dedup_by(|a, b| a.range == b.range && a.code == b.code);
    out
}

/// A field the engine encodes into CEL: its logical name and node.
pub struct EncodedField<'a> {
    /// Logical name of the field (`spec.return`, `spec.steps[0].inputs`).
    pub role: String,
    /// The field's node.
    pub node: &'a SNode,
    /// The role's last segment (`locals`, `inputs`, `skipIf`, ...).
    pub part: &'static str,
}

/// The encoded (evaluated) fields of a spec, per kind (§2.8).
pub fn encoded_fields<'a>(kind: Kind, spec: &'a SNode) -> Vec<EncodedField<'a>> {
    fn push<'a>(
        role: String,
        node: Option<&'a SNode>,
        part: &'static str,
        out: &mut Vec<EncodedField<'a>>,
    ) {
        if let Some(n) = node {
            out.push(EncodedField {
                role,
                node: n,
                part,
            });
        }
    }
    let mut out = Vec::new();
    match kind {
        Kind::ValueFunction => {
            for (k, part) in [
                ("preconditions", "preconditions"),
                ("locals", "locals"),
                ("return", "return"),
            ] {
                push(format!("spec.{k}"), spec.get(k), part, &mut out);
            }
        }
        Kind::ResourceFunction => {
            for (k, part) in [
                ("preconditions", "preconditions"),
                ("locals", "locals"),
                ("resource", "resource"),
                ("postconditions", "postconditions"),
                ("return", "return"),
            ] {
                push(format!("spec.{k}"), spec.get(k), part, &mut out);
            }
            push(
                "spec.apiConfig.name".into(),
                spec.get_path(&["apiConfig", "name"]),
                "name",
                &mut out,
            );
            push(
                "spec.apiConfig.namespace".into(),
                spec.get_path(&["apiConfig", "namespace"]),
                "namespace",
                &mut out,
            );
            push(
                "spec.resourceTemplateRef.name".into(),
                spec.get_path(&["resourceTemplateRef", "name"]),
                "name",
                &mut out,
            );
            push(
                "spec.create.overlay".into(),
                spec.get_path(&["create", "overlay"]),
                "overlay",
                &mut out,
            );
            for (i, item) in spec
                .get("overlays")
                .and_then(SNode::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                push(
                    format!("spec.overlays[{i}].skipIf"),
                    item.get("skipIf"),
                    "skipIf",
                    &mut out,
                );
                push(
                    format!("spec.overlays[{i}].overlay"),
                    item.get("overlay"),
                    "overlay",
                    &mut out,
                );
                push(
                    format!("spec.overlays[{i}].inputs"),
                    item.get("inputs"),
                    "overlayInputs",
                    &mut out,
                );
            }
        }
        Kind::Workflow => {
            for (i, step) in spec
                .get("steps")
                .and_then(SNode::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                push(
                    format!("spec.steps[{i}].skipIf"),
                    step.get("skipIf"),
                    "skipIf",
                    &mut out,
                );
                push(
                    format!("spec.steps[{i}].inputs"),
                    step.get("inputs"),
                    "inputs",
                    &mut out,
                );
                push(
                    format!("spec.steps[{i}].state"),
                    step.get("state"),
                    "state",
                    &mut out,
                );
                push(
                    format!("spec.steps[{i}].forEach.itemIn"),
                    step.get_path(&["forEach", "itemIn"]),
                    "itemIn",
                    &mut out,
                );
                push(
                    format!("spec.steps[{i}].refSwitch.switchOn"),
                    step.get_path(&["refSwitch", "switchOn"]),
                    "switchOn",
                    &mut out,
                );
            }
        }
        Kind::FunctionTest => {
            for (i, case) in spec
                .get("testCases")
                .and_then(SNode::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                push(
                    format!("spec.testCases[{i}].overlayResource"),
                    case.get("overlayResource"),
                    "overlayResource",
                    &mut out,
                );
            }
        }
        Kind::ResourceTemplate => {}
    }
    out
}

/// The never-evaluated fields of a spec (§2.1), where `=` strings stay literal.
pub fn static_fields<'a>(kind: Kind, spec: &'a SNode) -> Vec<(String, &'a SNode)> {
    fn add<'a>(out: &mut Vec<(String, &'a SNode)>, role: String, node: Option<&'a SNode>) {
        if let Some(n) = node {
            out.push((role, n));
        }
    }
    let mut out = Vec::new();
    let mut push = |role: String, node: Option<&'a SNode>| add(&mut out, role, node);
    match kind {
        Kind::ResourceTemplate => {
            push("spec.template".into(), spec.get("template"));
            push("spec.context".into(), spec.get("context"));
        }
        Kind::ResourceFunction => {
            for k in [
                "apiVersion",
                "kind",
                "plural",
                "namespaced",
                "owned",
                "readonly",
                "deleteIfExists",
            ] {
                push(
                    format!("spec.apiConfig.{k}"),
                    spec.get_path(&["apiConfig", k]),
                );
            }
            push(
                "spec.create.enabled".into(),
                spec.get_path(&["create", "enabled"]),
            );
            push(
                "spec.create.delay".into(),
                spec.get_path(&["create", "delay"]),
            );
            push("spec.update".into(), spec.get("update"));
            push("spec.delete".into(), spec.get("delete"));
            for (i, item) in spec
                .get("overlays")
                .and_then(SNode::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                push(
                    format!("spec.overlays[{i}].overlayRef"),
                    item.get("overlayRef"),
                );
            }
        }
        Kind::Workflow => {
            push("spec.crdRef".into(), spec.get("crdRef"));
            for (i, step) in spec
                .get("steps")
                .and_then(SNode::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                for k in ["label", "ref", "condition"] {
                    push(format!("spec.steps[{i}].{k}"), step.get(k));
                }
                push(
                    format!("spec.steps[{i}].refSwitch.cases"),
                    step.get_path(&["refSwitch", "cases"]),
                );
                push(
                    format!("spec.steps[{i}].forEach.inputKey"),
                    step.get_path(&["forEach", "inputKey"]),
                );
            }
        }
        Kind::FunctionTest => {
            for k in ["functionRef", "inputs", "currentResource"] {
                push(format!("spec.{k}"), spec.get(k));
            }
            for (i, case) in spec
                .get("testCases")
                .and_then(SNode::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                for k in [
                    "inputOverrides",
                    "currentResource",
                    "expectResource",
                    "expectReturn",
                    "expectOutcome",
                    "expectDelete",
                ] {
                    push(format!("spec.testCases[{i}].{k}"), case.get(k));
                }
            }
        }
        Kind::ValueFunction => {}
    }
    out
}

fn walk_nodes<'a>(node: &'a SNode, f: &mut dyn FnMut(&'a SNode)) {
    f(node);
    match &node.kind {
        SKind::Seq(items) => items.iter().for_each(|n| walk_nodes(n, f)),
        SKind::Map(entries) => entries.iter().for_each(|e| {
            walk_nodes(&e.key, f);
            walk_nodes(&e.value, f);
        }),
        _ => {}
    }
}

/// Value nodes only (not mapping keys).
fn walk_values<'a>(node: &'a SNode, f: &mut dyn FnMut(&'a SNode)) {
    f(node);
    match &node.kind {
        SKind::Seq(items) => items.iter().for_each(|n| walk_values(n, f)),
        SKind::Map(entries) => entries.iter().for_each(|e| walk_values(&e.value, f)),
        _ => {}
    }
}

fn numeric_strings(ctx: &LintCtx<'_>, out: &mut Vec<Diagnostic>) {
    for field in encoded_fields(ctx.source.kind, &ctx.source.spec) {
        walk_values(field.node, &mut |n| {
            let SKind::Str(s) = &n.kind else { return };
            if string_encoding(&s.text) != StringEncoding::Numeric || ctx.is_plain(n) {
                return;
            }
            let t = py_strip(&s.text);
            let becomes = if t.contains('_') || t.starts_with('+') {
                "a CEL syntax error (Python accepts it as a number, CEL does not)".to_string()
            } else if py_int_accepts(&s.text) {
                let digits = t.trim_start_matches('-');
                let digits = digits.trim_start_matches('0');
                let sign = if t.starts_with('-') && !digits.is_empty() {
                    "-"
                } else {
                    ""
                };
                format!(
                    "the number {sign}{}",
                    if digits.is_empty() { "0" } else { digits }
                )
            } else if py_float_accepts(&s.text)
                && t.to_ascii_lowercase()
                    .trim_start_matches(['-', '+'])
                    .starts_with(['i', 'n'])
            {
                format!(
                    "the undeclared name `{}`, an error at run time",
                    t.to_ascii_lowercase().trim_start_matches('-')
                )
            } else {
                "a double".into()
            };
            out.push(ctx.diag(
                n.range,
                Severity::Warning,
                "numeric-string",
                format!(
                    "the string \"{}\" becomes {becomes} when `{}` is encoded (Python int()/float() accepts it); to keep a string write '=\"{}\"'",
                    s.text, field.role, s.text
                ),
            ));
        });
    }
}

/// Escapes CEL interprets in cooked strings (§3.1).
fn cel_escapes(s: &str) -> Vec<String> {
    let b: Vec<char> = s.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] != '\\' {
            i += 1;
            continue;
        }
        let c = b[i + 1];
        let len = match c {
            'a' | 'b' | 'f' | 'n' | 'r' | 't' | 'v' | '"' | '\'' | '\\' => 2,
            '0'..='7'
                if b.get(i + 2).is_some_and(|x| x.is_digit(8))
                    && b.get(i + 3).is_some_and(|x| x.is_digit(8)) =>
            {
                4
            }
            'x' if b.get(i + 2).is_some_and(char::is_ascii_hexdigit)
                && b.get(i + 3).is_some_and(char::is_ascii_hexdigit) =>
            {
                4
            }
            'u' if (2..6).all(|k| b.get(i + k).is_some_and(char::is_ascii_hexdigit)) => 6,
            'U' if (2..10).all(|k| b.get(i + k).is_some_and(char::is_ascii_hexdigit)) => 10,
            _ => 0,
        };
        if len > 0 {
            found.push(b[i..i + len].iter().collect());
            i += len;
        } else {
            i += 1;
        }
    }
    found
}

fn cooked_escapes(ctx: &LintCtx<'_>, out: &mut Vec<Diagnostic>) {
    for field in encoded_fields(ctx.source.kind, &ctx.source.spec) {
        walk_nodes(field.node, &mut |n| {
            let SKind::Str(s) = &n.kind else { return };
            let enc = string_encoding(&s.text);
            if !matches!(
                enc,
                StringEncoding::Cooked | StringEncoding::CookedTripleQuoted
            ) {
                return;
            }
            let escapes: Vec<String> = cel_escapes(&s.text)
                .into_iter()
                // `\\` is how one writes a backslash on purpose; `\"` is how the encoder
                // itself protects quotes.
                .filter(|e| e != "\\\\")
                .filter(|e| !(enc == StringEncoding::CookedTripleQuoted && e == "\\\""))
                .collect();
            if escapes.is_empty() {
                return;
            }
            out.push(ctx.diag(
                n.range,
                Severity::Warning,
                "cel-escape-in-string",
                format!(
                    "{} in this string {} a CEL escape once the structure is encoded (e.g. '\\n' becomes a newline); to keep the backslashes write them doubled ('\\\\') or use a raw CEL string: ='r\"…\"'",
                    escapes.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", "),
                    if escapes.len() == 1 { "is" } else { "are" }
                ),
            ));
        });
    }
}

fn describe(r: &Resolved) -> String {
    match r {
        Resolved::Null => "null".into(),
        Resolved::Bool(b) => format!("the boolean {b}"),
        Resolved::Int(i) => format!("the integer {i}"),
        Resolved::BigInt(t) => format!("the integer {t}"),
        Resolved::Float(f) => format!("the float {}", crate::data::py_float_repr(*f)),
        Resolved::Str(s) => format!("the string \"{s}\""),
        Resolved::Date(d) => format!("the date {d}"),
        Resolved::DateTime(d) => format!("the timestamp {d}"),
    }
}

fn yaml11_scalars(ctx: &LintCtx<'_>, out: &mut Vec<Diagnostic>) {
    let encoded: Vec<TextRange> = encoded_fields(ctx.source.kind, &ctx.source.spec)
        .iter()
        .map(|f| f.node.range)
        .collect();
    walk_nodes(&ctx.source.spec, &mut |n| {
        if matches!(n.kind, SKind::Seq(_) | SKind::Map(_)) || !ctx.is_plain(n) {
            return;
        }
        let raw = ctx.raw(n.range).trim_end();
        if raw.is_empty() || raw.contains('\n') {
            return;
        }
        let py = koreo_syntax::resolve_pyyaml_plain(raw)
            .unwrap_or_else(|_| Resolved::Str(raw.to_string()));
        let k8s = koreo_syntax::resolve_k8s_plain(raw);
        let same = match (&py, &k8s) {
            (Resolved::Float(a), Resolved::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (a, b) => a == b,
        };
        if same {
            return;
        }
        // The controller never runs FunctionTests: there only PyYAML's reading matters
        // (dates make the test fail to prepare).
        if ctx.source.kind == Kind::FunctionTest
            && !matches!(py, Resolved::Date(_) | Resolved::DateTime(_))
        {
            return;
        }
        let in_encoded = encoded.iter().any(|r| r.contains_range(n.range));
        let consequence = match (&py, in_encoded) {
            (Resolved::Date(_), true) => format!("; encoded into CEL it is the arithmetic `{raw}`, so FunctionTests see a number"),
            (Resolved::DateTime(_), true) => "; encoded into CEL it is a syntax error".into(),
            (Resolved::Date(_) | Resolved::DateTime(_), false) if ctx.source.kind == Kind::FunctionTest => {
                "; in FunctionTest inputs the engine cannot convert it and the test fails to prepare".into()
            }
            _ => String::new(),
        };
        out.push(ctx.diag(
            n.range,
            Severity::Warning,
            "yaml11-scalar",
            format!(
                "`{raw}` is {} for the reference tooling and FunctionTests (PyYAML, YAML 1.1) but {} for the controller (Kubernetes){consequence}; quote it to get a string everywhere",
                describe(&py),
                describe(&k8s)
            ),
        ));
    });
}

fn static_expressions(ctx: &LintCtx<'_>, out: &mut Vec<Diagnostic>) {
    for (role, node) in static_fields(ctx.source.kind, &ctx.source.spec) {
        walk_values(node, &mut |n| {
            let SKind::Str(s) = &n.kind else { return };
            if s.text.starts_with('=') {
                out.push(ctx.diag(
                    n.range,
                    Severity::Warning,
                    "expression-in-static-field",
                    format!(
                        "`{role}` is never evaluated: \"{}\" stays a literal string",
                        s.text
                    ),
                ));
            }
        });
    }
}

fn delete_ignored(ctx: &LintCtx<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.source.kind != Kind::ResourceFunction {
        return;
    }
    if let Some(e) = ctx.source.spec.get_entry("delete") {
        out.push(ctx.diag(
            e.key.range,
            Severity::Information,
            "delete-ignored",
            "`delete` is validated but ignored by the engine: the resource is neither abandoned nor destroyed specially".into(),
        ));
    }
}

fn labels(ctx: &LintCtx<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.source.kind != Kind::Workflow {
        return;
    }
    for step in ctx
        .source
        .spec
        .get("steps")
        .and_then(SNode::items)
        .unwrap_or(&[])
    {
        let Some(label) = step.get("label") else {
            continue;
        };
        let text = label.py_str();
        if !is_cel_identifier(&text) {
            out.push(ctx.diag(
                label.range,
                Severity::Warning,
                "label-not-identifier",
                format!(
                    "`{text}` is not a CEL identifier: `steps.{text}` does not parse; later steps must write `steps[\"{text}\"]`"
                ),
            ));
        }
    }
}

/// Parsed expressions of one encoded field, with the source map.
fn parse_field(field: &EncodedField<'_>) -> Option<(crate::encode::Encoded, Expr)> {
    if !field.node.truthy() {
        return None;
    }
    let enc = encode(field.node);
    let parse = koreo_cel_syntax::parse(&enc.text);
    if parse.celpy_error.is_some() {
        return None;
    }
    Some((enc, parse.expr))
}

fn visit<'e>(e: &'e Expr, f: &mut dyn FnMut(&'e Expr, &[&'e Expr])) {
    fn go<'e>(
        e: &'e Expr,
        stack: &mut Vec<&'e Expr>,
        f: &mut dyn FnMut(&'e Expr, &[&'e Expr]),
        depth: usize,
    ) {
        if depth > 256 {
            return;
        }
        f(e, stack);
        stack.push(e);
        let kids: Vec<&Expr> = match &e.kind {
            ExprKind::Paren(x)
            | ExprKind::Unary { operand: x, .. }
            | ExprKind::Select { operand: x, .. } => vec![x],
            ExprKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
            ExprKind::Ternary {
                cond,
                then,
                otherwise,
            } => vec![cond, then, otherwise],
            ExprKind::Index { operand, index } => vec![operand, index],
            ExprKind::Call { receiver, args, .. } => {
                receiver.iter().map(|r| &**r).chain(args.iter()).collect()
            }
            ExprKind::List(items) => items.iter().collect(),
            ExprKind::Map(entries) => entries.iter().flat_map(|m| [&m.key, &m.value]).collect(),
            ExprKind::Message { fields, .. } => fields.iter().map(|f| &f.value).collect(),
            _ => vec![],
        };
        for k in kids {
            go(k, stack, f, depth + 1);
        }
        stack.pop();
    }
    go(e, &mut Vec::new(), f, 0);
}

fn text<'a>(src: &'a str, e: &Expr) -> &'a str {
    src.get(usize::from(e.span.start())..usize::from(e.span.end()))
        .unwrap_or("")
}

fn strip_parens(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Paren(x) => strip_parens(x),
        _ => e,
    }
}

fn known_int(e: &Expr) -> bool {
    match &strip_parens(e).kind {
        ExprKind::Literal(Literal::Int(_)) => true,
        ExprKind::Call {
            receiver: None,
            func,
            ..
        } => matches!(func.text.as_str(), "int" | "size"),
        _ => false,
    }
}

fn known_double(e: &Expr) -> bool {
    match &strip_parens(e).kind {
        ExprKind::Literal(Literal::Double(_)) => true,
        ExprKind::Call {
            receiver: None,
            func,
            ..
        } => func.text == "double",
        _ => false,
    }
}

fn is_empty_literal(e: &Expr) -> bool {
    matches!(&strip_parens(e).kind, ExprKind::List(l) if l.is_empty())
        || matches!(&strip_parens(e).kind, ExprKind::Map(m) if m.is_empty())
}

/// A visitor over `(field, encoded text, node, ancestors)`.
type ExprVisitor<'v> = dyn FnMut(&EncodedField<'_>, &crate::encode::Encoded, &Expr, &[&Expr]) + 'v;

/// Calls `f` for every node of every parsed encoded field.
fn each_expr(ctx: &LintCtx<'_>, f: &mut ExprVisitor<'_>) {
    for field in encoded_fields(ctx.source.kind, &ctx.source.spec) {
        let Some((enc, expr)) = parse_field(&field) else {
            continue;
        };
        visit(&expr, &mut |e, parents| f(&field, &enc, e, parents));
    }
}

fn range_of(enc: &crate::encode::Encoded, field: &EncodedField<'_>, e: &Expr) -> TextRange {
    enc.file_range(e.span).unwrap_or(field.node.range)
}

fn int_double(ctx: &LintCtx<'_>, out: &mut Vec<Diagnostic>) {
    each_expr(ctx, &mut |field, enc, e, _| {
        let ExprKind::Binary { op, lhs, rhs, .. } = &e.kind else {
            return;
        };
        let src = enc.text.as_str();
        let (l, r) = (text(src, lhs), text(src, rhs));
        let msg = if known_int(lhs) && known_double(rhs) {
            match op {
                BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul => Some(format!(
                    "`{}` fails: int {} double has no overload in Koreo's CEL (the left operand decides); put the double first or write the int as a double (`{l}.0`)",
                    text(src, e),
                    op_text(*op)
                )),
                BinaryOp::Div => Some(format!(
                    "`{}` is an int in Koreo's CEL (int / double floors to an int); write `{l}.0 / {r}` for a double",
                    text(src, e)
                )),
                BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge => Some(format!(
                    "`{}` fails: an int compared with a double has no overload; compare doubles (`double({l})`)",
                    text(src, e)
                )),
                _ => None,
            }
        } else if known_double(lhs) && known_int(rhs) && *op == BinaryOp::Div {
            Some(format!(
                "`{}` fails: double / int has no overload; divide by a double (`{r}.0`)",
                text(src, e)
            ))
        } else {
            None
        };
        if let Some(m) = msg {
            out.push(ctx.diag(
                range_of(enc, field, e),
                Severity::Warning,
                "int-double-arithmetic",
                m,
            ));
        }
    });
}

fn null_comparison(ctx: &LintCtx<'_>, out: &mut Vec<Diagnostic>) {
    each_expr(ctx, &mut |field, enc, e, _| {
        let ExprKind::Binary { op, lhs, rhs, .. } = &e.kind else {
            return;
        };
        if !matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
            return;
        }
        let src = enc.text.as_str();
        let is_null = |x: &Expr| matches!(strip_parens(x).kind, ExprKind::Literal(Literal::Null));
        let other = match (is_null(lhs), is_null(rhs)) {
            (true, false) => rhs,
            (false, true) => lhs,
            _ => return,
        };
        if matches!(
            strip_parens(other).kind,
            ExprKind::Literal(Literal::String(_) | Literal::Bool(_))
        ) {
            return;
        }
        let o = text(src, other);
        let fix = if *op == BinaryOp::Eq {
            format!("!has({o})")
        } else {
            format!("has({o})")
        };
        out.push(ctx.diag(
            range_of(enc, field, e),
            Severity::Warning,
            "null-comparison",
            format!(
                "`{}` is an error when `{o}` is a number, list or map (no matching overload for 'relation_eq'); it only works for strings, booleans and null. Use `{fix}` to test presence",
                text(src, e)
            ),
        ));
    });
}

fn empty_literal(ctx: &LintCtx<'_>, out: &mut Vec<Diagnostic>) {
    each_expr(ctx, &mut |field, enc, e, _| {
        let ExprKind::Binary { lhs, rhs, .. } = &e.kind else {
            return;
        };
        if !is_empty_literal(rhs) {
            return;
        }
        let src = enc.text.as_str();
        let l = text(src, lhs);
        out.push(ctx.diag(
            range_of(enc, field, e),
            Severity::Warning,
            "empty-literal-operand",
            format!(
                "if `{}` fails (e.g. `{l}` is missing or null), the engine's error formatter crashes on the empty literal (`pop from empty list`): FunctionTests abort and Workflow steps retry; write `size({l}) == 0` or put the literal first",
                text(src, e)
            ),
        ));
    });
}

fn locals_self_reference(ctx: &LintCtx<'_>, out: &mut Vec<Diagnostic>) {
    each_expr(ctx, &mut |field, enc, e, parents| {
        if field.part != "locals" {
            return;
        }
        let ExprKind::Ident(name) = &e.kind else {
            return;
        };
        let under_has = parents
            .iter()
            .any(|p| matches!(&p.kind, ExprKind::Call { func, .. } if func.text == "has"));
        if name.text == "locals" && !under_has {
            out.push(ctx.diag(
                range_of(enc, field, e),
                Severity::Warning,
                "locals-self-reference",
                "`locals` cannot reference `locals`: the name is undeclared while locals are evaluated, so this fails at run time; compute the value in one expression".into(),
            ));
        }
    });
}

/// A member access on data that may be absent (`inputs.x`, `resource.x`, `parent.x`, ...).
fn reads_data(e: &Expr) -> bool {
    let mut cur = strip_parens(e);
    let mut selected = false;
    loop {
        match &cur.kind {
            ExprKind::Select { operand, .. } | ExprKind::Index { operand, .. } => {
                selected = true;
                cur = strip_parens(operand);
            }
            ExprKind::Ident(n) => {
                return selected
                    && matches!(
                        n.text.as_str(),
                        "inputs" | "resource" | "parent" | "steps" | "locals"
                    );
            }
            _ => return false,
        }
    }
}

fn list_item_error(ctx: &LintCtx<'_>, out: &mut Vec<Diagnostic>) {
    each_expr(ctx, &mut |field, enc, e, _| {
        // `[a.x, a.y].filter(...)` and friends: the receiver list fails as a whole.
        let ExprKind::Call {
            receiver: Some(r),
            func,
            ..
        } = &e.kind
        else {
            return;
        };
        if !matches!(
            func.text.as_str(),
            "filter" | "map" | "exists" | "all" | "exists_one"
        ) {
            return;
        }
        let ExprKind::List(items) = &strip_parens(r).kind else {
            return;
        };
        if items.len() < 2 || !items.iter().any(reads_data) {
            return;
        }
        out.push(ctx.diag(
            range_of(enc, field, r),
            Severity::Information,
            "list-item-error",
            format!(
                "if any item of this list fails (e.g. a missing field), the whole list is an error and `.{}()` never sees the other items (map values are lazy, list items are not); guard each item with has()",
                func.text
            ),
        ));
    });
}

fn op_text(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        BinaryOp::Rem => "%",
        _ => "?",
    }
}

/// Root identifiers an expression reads (not under `has()`).
fn reads_root(expr: &Expr, name: &str) -> Vec<TextRange> {
    let mut out = Vec::new();
    visit(expr, &mut |e, _| {
        if let ExprKind::Ident(n) = &e.kind
            && n.text == name
        {
            out.push(e.span);
        }
    });
    out
}

fn overlay_inputs_resource(ctx: &LintCtx<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.source.kind != Kind::ResourceFunction {
        return;
    }
    for field in encoded_fields(ctx.source.kind, &ctx.source.spec) {
        if field.part != "overlayInputs" {
            continue;
        }
        let Some((enc, expr)) = parse_field(&field) else {
            continue;
        };
        for span in reads_root(&expr, "resource") {
            out.push(ctx.diag(
                enc.file_range(span).unwrap_or(field.node.range),
                Severity::Warning,
                "overlay-inputs-resource",
                "overlayRef `inputs` cannot see `resource` (an undeclared reference at run time); the ValueFunction itself sees the resource being built as `resource`, so read it there".into(),
            ));
        }
    }
}

/// Texts of `has(...)` arguments in an expression.
fn has_args(expr: &Expr, src: &str) -> Vec<String> {
    let mut out = Vec::new();
    visit(expr, &mut |e, _| {
        if let ExprKind::Call {
            receiver: None,
            func,
            args,
        } = &e.kind
            && func.text == "has"
            && let Some(a) = args.first()
        {
            out.push(text(src, a).trim().to_string());
        }
    });
    out
}

fn inputs_before_skip_if(ctx: &LintCtx<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.source.kind != Kind::Workflow {
        return;
    }
    for step in ctx
        .source
        .spec
        .get("steps")
        .and_then(SNode::items)
        .unwrap_or(&[])
    {
        let (Some(skip), Some(inputs)) = (step.get("skipIf"), step.get("inputs")) else {
            continue;
        };
        let skip_field = EncodedField {
            role: String::new(),
            node: skip,
            part: "skipIf",
        };
        let Some((skip_enc, skip_expr)) = parse_field(&skip_field) else {
            continue;
        };
        let guarded = has_args(&skip_expr, &skip_enc.text);
        if guarded.is_empty() {
            continue;
        }
        walk_values(inputs, &mut |n| {
            let SKind::Str(s) = &n.kind else { return };
            if !s.text.starts_with('=') {
                return;
            }
            let body = s.text.trim_start_matches('=');
            let parse = koreo_cel_syntax::parse(body);
            if parse.celpy_error.is_some() {
                return;
            }
            let mut unguarded = None;
            visit(&parse.expr, &mut |e, parents| {
                if !matches!(e.kind, ExprKind::Select { .. } | ExprKind::Index { .. })
                    || unguarded.is_some()
                {
                    return;
                }
                let t = text(body, e);
                let under_has = parents
                    .iter()
                    .any(|p| matches!(&p.kind, ExprKind::Call { func, .. } if func.text == "has"));
                if !under_has
                    && guarded.iter().any(|g| {
                        t == g || t.starts_with(&format!("{g}.")) || t.starts_with(&format!("{g}["))
                    })
                {
                    unguarded = Some(t.to_string());
                }
            });
            if let Some(path) = unguarded {
                out.push(ctx.diag(
                    n.range,
                    Severity::Warning,
                    "inputs-before-skip-if",
                    format!(
                        "step inputs are evaluated before `skipIf`: when `{path}` is missing this input fails the step even though `skipIf` would skip it; guard it here too (`has({path}) ? {path} : null`)"
                    ),
                ));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cel_escapes() {
        assert_eq!(cel_escapes(r"C:\new\dir"), vec![r"\n"]);
        assert_eq!(
            cel_escapes(r"a\tb\x41\101\d"),
            vec![r"\t", r"\x41", r"\101"]
        );
        assert!(cel_escapes("plain").is_empty());
    }
}
