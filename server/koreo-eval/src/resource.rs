//! Resource identity: the engine caches prepared resources by `(kind, metadata.name)` only.

use std::fmt;

/// The five Koreo kinds, in the engine's prepare order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `ResourceTemplate`.
    ResourceTemplate,
    /// `ValueFunction`.
    ValueFunction,
    /// `ResourceFunction`.
    ResourceFunction,
    /// `Workflow`.
    Workflow,
    /// `FunctionTest`.
    FunctionTest,
}

impl Kind {
    /// All kinds, dependencies first.
    pub const ALL: [Kind; 5] = [
        Kind::ResourceTemplate,
        Kind::ValueFunction,
        Kind::ResourceFunction,
        Kind::Workflow,
        Kind::FunctionTest,
    ];

    /// The kind as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ResourceTemplate => "ResourceTemplate",
            Kind::ValueFunction => "ValueFunction",
            Kind::ResourceFunction => "ResourceFunction",
            Kind::Workflow => "Workflow",
            Kind::FunctionTest => "FunctionTest",
        }
    }

    /// Parses a kind name.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resource's cache identity (namespace ignored, as the engine does).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceRef {
    /// The kind.
    pub kind: Kind,
    /// `metadata.name`.
    pub name: String,
}

impl ResourceRef {
    /// A reference from a kind and a name.
    pub fn new(kind: Kind, name: impl Into<String>) -> ResourceRef {
        ResourceRef {
            kind,
            name: name.into(),
        }
    }
}

impl fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.name)
    }
}
