//! Tree traversal and position queries for the IDE layer. Everything here is iterative, so
//! it works on any tree regardless of height.

use text_size::{TextRange, TextSize};

use crate::ast::{Expr, ExprKind, Name};

/// The direct sub-expressions of a node, in source order.
pub struct Children<'a> {
    expr: &'a Expr,
    next: usize,
}

impl<'a> Iterator for Children<'a> {
    type Item = &'a Expr;

    fn next(&mut self) -> Option<&'a Expr> {
        let i = self.next;
        self.next += 1;
        match &self.expr.kind {
            ExprKind::Error
            | ExprKind::Literal(_)
            | ExprKind::Ident(_)
            | ExprKind::RootIdent(_) => None,
            ExprKind::Paren(e) | ExprKind::Unary { operand: e, .. } => (i == 0).then_some(&**e),
            ExprKind::Select { operand, .. } => (i == 0).then_some(&**operand),
            ExprKind::Binary { lhs, rhs, .. } => match i {
                0 => Some(lhs),
                1 => Some(rhs),
                _ => None,
            },
            ExprKind::Index { operand, index } => match i {
                0 => Some(operand),
                1 => Some(index),
                _ => None,
            },
            ExprKind::Ternary {
                cond,
                then,
                otherwise,
            } => match i {
                0 => Some(cond),
                1 => Some(then),
                2 => Some(otherwise),
                _ => None,
            },
            ExprKind::Call { receiver, args, .. } => match receiver {
                Some(r) if i == 0 => Some(r),
                Some(_) => args.get(i - 1),
                None => args.get(i),
            },
            ExprKind::List(items) => items.get(i),
            ExprKind::Map(entries) => entries.get(i / 2).map(|e| {
                if i.is_multiple_of(2) {
                    &e.key
                } else {
                    &e.value
                }
            }),
            ExprKind::Message { fields, .. } => fields.get(i).map(|f| &f.value),
        }
    }
}

impl Expr {
    /// The direct sub-expressions, in source order (map entries give key then value).
    pub fn children(&self) -> Children<'_> {
        Children {
            expr: self,
            next: 0,
        }
    }

    /// Every node of the tree, parents before children, in source order.
    pub fn preorder(&self) -> Preorder<'_> {
        Preorder { stack: vec![self] }
    }

    /// The names this node itself holds (not its children's): an identifier, a selected
    /// field, a function or method name, a message's type and field names.
    pub fn names(&self) -> Vec<&Name> {
        match &self.kind {
            ExprKind::Ident(n) | ExprKind::RootIdent(n) => vec![n],
            ExprKind::Select { field, .. } => vec![field],
            ExprKind::Call { func, .. } => vec![func],
            ExprKind::Message {
                type_name, fields, ..
            } => type_name
                .iter()
                .chain(fields.iter().map(|f| &f.field))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Preorder iterator, see [`Expr::preorder`].
pub struct Preorder<'a> {
    stack: Vec<&'a Expr>,
}

impl<'a> Iterator for Preorder<'a> {
    type Item = &'a Expr;

    fn next(&mut self) -> Option<&'a Expr> {
        let e = self.stack.pop()?;
        let start = self.stack.len();
        self.stack.extend(e.children());
        self.stack[start..].reverse();
        Some(e)
    }
}

/// Callbacks for [`walk`].
pub trait Visitor<'a> {
    /// Called before the children; return `false` to skip them (`leave` is still called).
    fn enter(&mut self, expr: &'a Expr) -> bool {
        let _ = expr;
        true
    }

    /// Called after the children.
    fn leave(&mut self, expr: &'a Expr) {
        let _ = expr;
    }
}

/// Depth-first traversal calling `enter` and `leave` on every node.
pub fn walk<'a>(root: &'a Expr, visitor: &mut impl Visitor<'a>) {
    let mut stack: Vec<(&'a Expr, Children<'a>)> = Vec::new();
    if visitor.enter(root) {
        stack.push((root, root.children()));
    } else {
        visitor.leave(root);
    }
    while let Some((node, children)) = stack.last_mut() {
        match children.next() {
            Some(child) => {
                if visitor.enter(child) {
                    stack.push((child, child.children()));
                } else {
                    visitor.leave(child);
                }
            }
            None => {
                let node = *node;
                stack.pop();
                visitor.leave(node);
            }
        }
    }
}

/// The innermost node at a position, see [`node_at`].
#[derive(Clone, Debug)]
pub struct NodeAt<'a> {
    /// The innermost node whose span contains the offset.
    pub node: &'a Expr,
    /// Its ancestors, the root first.
    pub ancestors: Vec<&'a Expr>,
    /// The name of `node` (see [`Expr::names`]) under the offset, if any.
    pub name: Option<&'a Name>,
}

/// The innermost node whose span contains `offset`, ends included, with its ancestors.
///
/// Left-biased: where one node ends and the next begins (`a|+b`), the left one wins, as a
/// cursor right after a token refers to that token. Holes left by error recovery have
/// empty spans right after the token that demanded them (`inputs.|`, `f(a, |`); a cursor
/// further right, past whitespace, lands on the enclosing node instead.
pub fn node_at(root: &Expr, offset: TextSize) -> Option<NodeAt<'_>> {
    if !root.span.contains_inclusive(offset) {
        return None;
    }
    let mut ancestors = Vec::new();
    let mut node = root;
    while let Some(child) = node.children().find(|c| c.span.contains_inclusive(offset)) {
        ancestors.push(node);
        node = child;
    }
    let name = node
        .names()
        .into_iter()
        .find(|n| n.span.contains_inclusive(offset));
    Some(NodeAt {
        node,
        ancestors,
        name,
    })
}

/// The comprehension macros, which bind variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MacroKind {
    All,
    Exists,
    ExistsOne,
    Map,
    Filter,
    /// `r.reduce(acc, x, init, body)`: `init` is evaluated outside the scope.
    Reduce,
}

impl MacroKind {
    /// The macro named `name`, if it binds variables.
    pub fn from_name(name: &str) -> Option<MacroKind> {
        Some(match name {
            "all" => MacroKind::All,
            "exists" => MacroKind::Exists,
            "exists_one" => MacroKind::ExistsOne,
            "map" => MacroKind::Map,
            "filter" => MacroKind::Filter,
            "reduce" => MacroKind::Reduce,
            _ => return None,
        })
    }
}

/// The variables a macro call binds and where they are visible.
#[derive(Clone, Debug)]
pub struct MacroScope<'a> {
    pub kind: MacroKind,
    /// The variables in binding order (`[x]`, or `[acc, x]` for `reduce`), each written as
    /// the macro's variable argument. cel-python binds the *last plain identifier* of that
    /// argument (`l.map(x, …)` binds `x`); an argument without one is skipped here
    /// (cel-python fails evaluating such a macro).
    pub vars: Vec<&'a Name>,
    /// The expression evaluated with the variables bound.
    pub body: &'a Expr,
}

impl MacroScope<'_> {
    /// Where the variables are visible: the body.
    pub fn scope(&self) -> TextRange {
        self.body.span
    }
}

/// For a comprehension macro call (`r.all(x, p)`, `r.exists(x, p)`,
/// `r.exists_one(x, p)`, `r.map(x, e)`, `r.filter(x, p)`, `r.reduce(acc, x, init, e)`),
/// its bound variables and scope. cel-python treats these method names as macros only in
/// method form and only with exactly these argument counts (anything else fails at
/// evaluation), so other shapes give `None`.
pub fn macro_scope(call: &Expr) -> Option<MacroScope<'_>> {
    let ExprKind::Call {
        receiver: Some(_),
        func,
        args,
    } = &call.kind
    else {
        return None;
    };
    let kind = MacroKind::from_name(&func.text)?;
    let (var_args, body) = match (kind, args.as_slice()) {
        (MacroKind::Reduce, [acc, x, _init, body]) => (vec![acc, x], body),
        (MacroKind::Reduce, _) => return None,
        (_, [x, body]) => (vec![x], body),
        _ => return None,
    };
    let vars = var_args.into_iter().filter_map(bound_name).collect();
    Some(MacroScope { kind, vars, body })
}

/// cel-python's choice of the bound name in a macro's variable argument: the last plain
/// identifier in source order.
fn bound_name(arg: &Expr) -> Option<&Name> {
    arg.preorder()
        .filter_map(|e| match &e.kind {
            ExprKind::Ident(n) => Some(n),
            _ => None,
        })
        .last()
}

/// The macro variables visible at `offset`, outermost first (a later one shadows an
/// earlier one with the same name).
pub fn bindings_at(root: &Expr, offset: TextSize) -> Vec<&Name> {
    let Some(at) = node_at(root, offset) else {
        return Vec::new();
    };
    let mut path = at.ancestors;
    path.push(at.node);
    let mut out = Vec::new();
    for pair in path.windows(2) {
        if let Some(scope) = macro_scope(pair[0])
            && std::ptr::eq(scope.body, pair[1])
        {
            out.extend(scope.vars);
        }
    }
    out
}
