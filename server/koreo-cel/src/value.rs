//! The value model: cel-python's runtime values, including the "native" host values some
//! operators produce, and error values.
//!
//! cel-python values are thin subclasses of Python built-ins (`IntType(int)`, `MapType(dict)`, …)
//! and many operators fall back to the Python built-in, returning a plain host value. Those
//! print and serialise like their CEL counterparts but behave differently afterwards (§3.2), so
//! each one is a distinct variant here.

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::error::EvalError;
use crate::time::{Duration, Timestamp};

/// A runtime value.
#[derive(Clone, Debug)]
pub enum Value {
    /// `null` (Python `None`).
    Null,
    /// `BoolType`.
    Bool(bool),
    /// `IntType` (int64, range-checked).
    Int(i64),
    /// `UintType` (uint64, range-checked).
    UInt(u64),
    /// `DoubleType`.
    Double(f64),
    /// `StringType`.
    String(Arc<str>),
    /// `BytesType`.
    Bytes(Arc<[u8]>),
    /// `ListType`.
    List(Arc<Vec<Value>>),
    /// `MapType` (insertion-ordered).
    Map(Arc<Map>),
    /// `TimestampType`.
    Timestamp(Timestamp),
    /// `DurationType`.
    Duration(Duration),
    /// A type value, as returned by `type(x)` or by a bare conversion-function name (`int`).
    Type(PyType),
    /// A built-in function object (a bare function name such as `size`).
    Function(&'static str),
    /// A plain host value (see the module docs).
    Native(Native),
    /// A CEL error carried as a value (lazy map values, `&&`/`||` operands, …).
    Error(Arc<EvalError>),
}

/// Plain Python values produced by operators that fall back to the Python built-in, or bound
/// through a raw mapping.
#[derive(Clone, Debug)]
pub enum Native {
    /// Python `int` (arbitrary precision in Python; i128 here, overflow is a host failure).
    Int(i128),
    /// Python `float`.
    Float(f64),
    /// Python `bool` (only from raw mappings).
    Bool(bool),
    /// Python `str`.
    Str(Arc<str>),
    /// Python `bytes`.
    Bytes(Arc<[u8]>),
    /// Python `list`.
    List(Arc<Vec<Value>>),
    /// Python `dict`: a raw mapping (FunctionTest `overlayResource` binds `resource` as one).
    Dict(Arc<Map>),
    /// Python `datetime.timedelta`.
    Timedelta(Duration),
}

/// The Python class of a value, as the engine dispatches on it and prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PyType {
    /// `IntType`.
    Int,
    /// `UintType`.
    UInt,
    /// `DoubleType`.
    Double,
    /// `BoolType`.
    Bool,
    /// `StringType`.
    String,
    /// `BytesType`.
    Bytes,
    /// `ListType`.
    List,
    /// `MapType`.
    Map,
    /// `NoneType` (`null`).
    NoneType,
    /// `TimestampType`.
    Timestamp,
    /// `DurationType`.
    Duration,
    /// Python `int`.
    NativeInt,
    /// Python `float`.
    NativeFloat,
    /// Python `bool`.
    NativeBool,
    /// Python `str`.
    NativeStr,
    /// Python `bytes`.
    NativeBytes,
    /// Python `list`.
    NativeList,
    /// Python `dict`.
    NativeDict,
    /// Python `datetime.timedelta`.
    NativeTimedelta,
    /// Python `type` (what `type(type(1))` returns).
    Type,
    /// `celpy.celtypes.FunctionType` (what a bare Koreo function name resolves to).
    FunctionType,
    /// A Python function object.
    Function,
    /// `celpy.evaluation.CELEvalError`.
    EvalError,
}

impl PyType {
    /// Fully qualified class name, as inside `<class '…'>`.
    pub fn qualname(self) -> &'static str {
        match self {
            PyType::Int => "celpy.celtypes.IntType",
            PyType::UInt => "celpy.celtypes.UintType",
            PyType::Double => "celpy.celtypes.DoubleType",
            PyType::Bool => "celpy.celtypes.BoolType",
            PyType::String => "celpy.celtypes.StringType",
            PyType::Bytes => "celpy.celtypes.BytesType",
            PyType::List => "celpy.celtypes.ListType",
            PyType::Map => "celpy.celtypes.MapType",
            PyType::NoneType => "NoneType",
            PyType::Timestamp => "celpy.celtypes.TimestampType",
            PyType::Duration => "celpy.celtypes.DurationType",
            PyType::NativeInt => "int",
            PyType::NativeFloat => "float",
            PyType::NativeBool => "bool",
            PyType::NativeStr => "str",
            PyType::NativeBytes => "bytes",
            PyType::NativeList => "list",
            PyType::NativeDict => "dict",
            PyType::NativeTimedelta => "datetime.timedelta",
            PyType::Type => "type",
            PyType::FunctionType => "celpy.celtypes.FunctionType",
            PyType::Function => "function",
            PyType::EvalError => "celpy.evaluation.CELEvalError",
        }
    }

    /// Short class name (`type(x).__name__`), as in host exception messages.
    pub fn name(self) -> &'static str {
        // C-level classes print their module (`tp_name`), Python-level ones do not.
        if self == PyType::NativeTimedelta {
            return "datetime.timedelta";
        }
        let q = self.qualname();
        q.rsplit('.').next().unwrap_or(q)
    }

    /// `<class '…'>`, the Python repr of the class.
    pub fn class_repr(self) -> String {
        format!("<class '{}'>", self.qualname())
    }

    /// The Python base built-in this class derives from (itself for built-ins).
    pub fn base(self) -> PyType {
        match self {
            PyType::Int | PyType::UInt | PyType::Bool => PyType::NativeInt,
            PyType::Double => PyType::NativeFloat,
            PyType::String => PyType::NativeStr,
            PyType::Bytes => PyType::NativeBytes,
            PyType::List => PyType::NativeList,
            PyType::Map => PyType::NativeDict,
            PyType::Duration => PyType::NativeTimedelta,
            other => other,
        }
    }

    /// `issubclass(self, other)`.
    pub fn is_subclass_of(self, other: PyType) -> bool {
        if self == other {
            return true;
        }
        // Python `bool` is a subclass of `int`.
        if self == PyType::NativeBool && other == PyType::NativeInt {
            return true;
        }
        self.base() == other && self.base() != self
    }
}

impl Value {
    /// A string value from anything string-like.
    pub fn string(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }

    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(items))
    }

    /// A map value.
    pub fn map(map: Map) -> Value {
        Value::Map(Arc::new(map))
    }

    /// The Python class of this value.
    pub fn py_type(&self) -> PyType {
        match self {
            Value::Null => PyType::NoneType,
            Value::Bool(_) => PyType::Bool,
            Value::Int(_) => PyType::Int,
            Value::UInt(_) => PyType::UInt,
            Value::Double(_) => PyType::Double,
            Value::String(_) => PyType::String,
            Value::Bytes(_) => PyType::Bytes,
            Value::List(_) => PyType::List,
            Value::Map(_) => PyType::Map,
            Value::Timestamp(_) => PyType::Timestamp,
            Value::Duration(_) => PyType::Duration,
            Value::Type(_) => PyType::Type,
            Value::Function(_) => PyType::Function,
            Value::Error(_) => PyType::EvalError,
            Value::Native(n) => match n {
                Native::Int(_) => PyType::NativeInt,
                Native::Float(_) => PyType::NativeFloat,
                Native::Bool(_) => PyType::NativeBool,
                Native::Str(_) => PyType::NativeStr,
                Native::Bytes(_) => PyType::NativeBytes,
                Native::List(_) => PyType::NativeList,
                Native::Dict(_) => PyType::NativeDict,
                Native::Timedelta(_) => PyType::NativeTimedelta,
            },
        }
    }

    /// The error carried by this value, if it is one.
    pub fn as_error(&self) -> Option<&Arc<EvalError>> {
        match self {
            Value::Error(e) => Some(e),
            _ => None,
        }
    }

    /// Whether this is an error value.
    pub fn is_error(&self) -> bool {
        matches!(self, Value::Error(_))
    }

    /// String content of a CEL or native string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) | Value::Native(Native::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// Elements of a CEL or native list.
    pub fn as_list(&self) -> Option<&Arc<Vec<Value>>> {
        match self {
            Value::List(l) | Value::Native(Native::List(l)) => Some(l),
            _ => None,
        }
    }

    /// Entries of a CEL map or a raw mapping.
    pub fn as_map(&self) -> Option<&Arc<Map>> {
        match self {
            Value::Map(m) | Value::Native(Native::Dict(m)) => Some(m),
            _ => None,
        }
    }

    /// Integer value of any int-like value (int, uint, bool and their native forms).
    pub fn as_int_like(&self) -> Option<i128> {
        match self {
            Value::Int(i) => Some(*i as i128),
            Value::UInt(u) => Some(*u as i128),
            Value::Bool(b) | Value::Native(Native::Bool(b)) => Some(*b as i128),
            Value::Native(Native::Int(i)) => Some(*i),
            _ => None,
        }
    }

    /// Float value of a double or native float.
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Double(f) | Value::Native(Native::Float(f)) => Some(*f),
            _ => None,
        }
    }

    /// Python truthiness (`bool(x)`).
    pub fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) | Value::Native(Native::Bool(b)) => *b,
            Value::Int(i) => *i != 0,
            Value::UInt(u) => *u != 0,
            Value::Double(f) | Value::Native(Native::Float(f)) => *f != 0.0,
            Value::Native(Native::Int(i)) => *i != 0,
            Value::String(s) | Value::Native(Native::Str(s)) => !s.is_empty(),
            Value::Bytes(b) | Value::Native(Native::Bytes(b)) => !b.is_empty(),
            Value::List(l) | Value::Native(Native::List(l)) => !l.is_empty(),
            Value::Map(m) | Value::Native(Native::Dict(m)) => !m.is_empty(),
            Value::Duration(d) | Value::Native(Native::Timedelta(d)) => d.micros() != 0,
            Value::Timestamp(_) | Value::Type(_) | Value::Function(_) | Value::Error(_) => true,
        }
    }
}

/// A hashable key, as Python groups dict keys: values that hash equal land on the same
/// entry, and then Python `==` decides (which may raise: `{1: "a", true: "b"}` is an error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HashKey {
    /// Integral numbers (int, uint, bool, integral doubles) by value.
    Int(i128),
    /// Non-integral doubles by bit pattern (`-0.0` is `Int(0)`).
    Float(u64),
    /// Strings (CEL and native).
    Str(Arc<str>),
    /// Bytes (CEL and native).
    Bytes(Arc<[u8]>),
    /// `null`.
    None,
    /// Timestamps by UTC instant.
    Timestamp(i128),
    /// Durations by length.
    Duration(i128),
    /// Type values.
    Type(PyType),
    /// Function objects.
    Function(&'static str),
}

impl std::hash::Hash for HashKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            // Must agree with the string probe used by `Map::get_str`.
            HashKey::Str(s) => {
                1u8.hash(state);
                s.hash(state);
            }
            HashKey::Int(i) => {
                2u8.hash(state);
                i.hash(state);
            }
            HashKey::Float(b) => {
                3u8.hash(state);
                b.hash(state);
            }
            HashKey::Bytes(b) => {
                4u8.hash(state);
                b.hash(state);
            }
            HashKey::None => 5u8.hash(state),
            HashKey::Timestamp(t) => {
                6u8.hash(state);
                t.hash(state);
            }
            HashKey::Duration(d) => {
                7u8.hash(state);
                d.hash(state);
            }
            HashKey::Type(t) => {
                8u8.hash(state);
                t.hash(state);
            }
            HashKey::Function(f) => {
                9u8.hash(state);
                f.hash(state);
            }
        }
    }
}

impl HashKey {
    /// The hash class of a value, or `None` when Python cannot hash it (lists, maps, errors).
    pub fn of(v: &Value) -> Option<HashKey> {
        Some(match v {
            Value::Null => HashKey::None,
            Value::Bool(b) | Value::Native(Native::Bool(b)) => HashKey::Int(*b as i128),
            Value::Int(i) => HashKey::Int(*i as i128),
            Value::UInt(u) => HashKey::Int(*u as i128),
            Value::Native(Native::Int(i)) => HashKey::Int(*i),
            Value::Double(f) | Value::Native(Native::Float(f)) => {
                if f.fract() == 0.0 && f.abs() < 1e38 {
                    HashKey::Int(*f as i128)
                } else {
                    HashKey::Float(f.to_bits())
                }
            }
            Value::String(s) | Value::Native(Native::Str(s)) => HashKey::Str(s.clone()),
            Value::Bytes(b) | Value::Native(Native::Bytes(b)) => HashKey::Bytes(b.clone()),
            Value::Timestamp(t) => HashKey::Timestamp(t.utc_micros()),
            Value::Duration(d) | Value::Native(Native::Timedelta(d)) => {
                HashKey::Duration(d.micros())
            }
            Value::Type(t) => HashKey::Type(*t),
            Value::Function(f) => HashKey::Function(f),
            Value::List(_) | Value::Map(_) | Value::Native(Native::List(_) | Native::Dict(_)) => {
                return None;
            }
            Value::Error(_) => return None,
        })
    }

    /// The key for a plain string (the common case).
    pub fn str(s: &str) -> HashKey {
        HashKey::Str(Arc::from(s))
    }
}

/// An insertion-ordered map keeping the original key values (their classes matter).
#[derive(Clone, Debug, Default)]
pub struct Map {
    entries: IndexMap<HashKey, (Value, Value)>,
}

impl Map {
    /// An empty map.
    pub fn new() -> Map {
        Map::default()
    }

    /// An empty map with room for `n` entries.
    pub fn with_capacity(n: usize) -> Map {
        Map {
            entries: IndexMap::with_capacity(n),
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Iterates `(key, value)` in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&Value, &Value)> {
        self.entries.values().map(|(k, v)| (k, v))
    }

    /// Keys in insertion order.
    pub fn keys(&self) -> impl Iterator<Item = &Value> {
        self.entries.values().map(|(k, _)| k)
    }

    /// Values in insertion order.
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.entries.values().map(|(_, v)| v)
    }

    /// Inserts a string-keyed entry (replacing the value, keeping the position, if present).
    pub fn insert_str(&mut self, key: &str, value: Value) {
        let k: Arc<str> = Arc::from(key);
        self.insert_hashed(HashKey::Str(k.clone()), Value::String(k), value);
    }

    /// Inserts with a precomputed hash key; an existing entry keeps its original key value.
    pub fn insert_hashed(&mut self, hk: HashKey, key: Value, value: Value) {
        match self.entries.get_mut(&hk) {
            Some(slot) => slot.1 = value,
            None => {
                self.entries.insert(hk, (key, value));
            }
        }
    }

    /// The stored entry whose key hashes like `hk` (Python equality still to be checked).
    pub fn get_hashed(&self, hk: &HashKey) -> Option<(&Value, &Value)> {
        self.entries.get(hk).map(|(k, v)| (k, v))
    }

    /// Looks up a string key (no Python equality subtleties for strings).
    pub fn get_str(&self, key: &str) -> Option<&Value> {
        // Allocation-free probe: hash of `HashKey::Str` only depends on the text.
        self.entries
            .get(&StrProbe(key) as &dyn KeyProbe)
            .map(|(_, v)| v)
    }

    /// Whether a string key is present.
    pub fn contains_str(&self, key: &str) -> bool {
        self.get_str(key).is_some()
    }
}

// Allows `get_str` to probe the IndexMap without allocating an Arc<str>.
trait KeyProbe {
    fn key(&self) -> HashKeyRef<'_>;
}

#[derive(PartialEq, Eq, Hash)]
enum HashKeyRef<'a> {
    Str(&'a str),
    Other,
}

struct StrProbe<'a>(&'a str);

impl KeyProbe for StrProbe<'_> {
    fn key(&self) -> HashKeyRef<'_> {
        HashKeyRef::Str(self.0)
    }
}

impl KeyProbe for HashKey {
    fn key(&self) -> HashKeyRef<'_> {
        match self {
            HashKey::Str(s) => HashKeyRef::Str(s),
            _ => HashKeyRef::Other,
        }
    }
}

impl<'a> std::borrow::Borrow<dyn KeyProbe + 'a> for HashKey {
    fn borrow(&self) -> &(dyn KeyProbe + 'a) {
        self
    }
}

impl PartialEq for dyn KeyProbe + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for dyn KeyProbe + '_ {}

impl std::hash::Hash for dyn KeyProbe + '_ {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self.key() {
            // Must match the derived Hash of `HashKey::Str(Arc<str>)`.
            HashKeyRef::Str(s) => {
                1u8.hash(state);
                s.hash(state);
            }
            // Only string probes are ever looked up through this trait.
            HashKeyRef::Other => 0u8.hash(state),
        }
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<T: IntoIterator<Item = (String, Value)>>(iter: T) -> Self {
        let mut m = Map::new();
        for (k, v) in iter {
            m.insert_str(&k, v);
        }
        m
    }
}

impl fmt::Display for Value {
    /// Python `str()` of the value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::python::py_str(self))
    }
}
