//! The validator on small hand-written schemas: each keyword and Kubernetes extension.

mod common;

use common::{parse, render};
use expect_test::expect;
use koreo_schema::{
    ExpressionMode, SchemaSource, SchemaStore, ValidateOptions, load_crd_node, load_openapi,
    load_schema, validate,
};

/// Validate `doc` against `schema` (JSON) with `options`.
fn check_opts(schema: serde_json::Value, doc: &str, options: &ValidateOptions) -> String {
    let (arena, root) = load_schema(&schema);
    let node = parse(doc);
    render(
        doc,
        &validate(koreo_schema::SchemaView::new(&arena, root), &node, options),
    )
}

fn check(schema: serde_json::Value, doc: &str) -> String {
    check_opts(schema, doc, &ValidateOptions::default())
}

#[test]
fn scalars_formats_and_limits() {
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "small": {"type": "integer", "minimum": 1, "maximum": 10, "format": "int32"},
            "ratio": {"type": "number", "exclusiveMinimum": true, "minimum": 0, "multipleOf": 0.5},
            "name": {"type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"},
            "when": {"type": "string", "format": "date-time"},
            "ip": {"type": "string", "format": "ipv4"},
            "net": {"type": "string", "format": "cidr"},
            "id": {"type": "string", "format": "uuid"},
            "mode": {"type": "string", "enum": ["fast", "slow"]},
            "port": {"x-kubernetes-int-or-string": true},
            "flag": {"type": "boolean"},
            "big": {"type": "integer"}
        }
    });
    let doc = r#"small: 11
ratio: 0
name: Abcdefg
when: 2024-01-02
ip: 300.1.1.1
net: 10.0.0.0/33
id: not-a-uuid
mode: fsat
port: 1.5
flag: "yes"
big: 123456789012345678901234567890
"#;
    expect![[r#"
        1:8-1:10 error schema-maximum [small] "11": `small` must be at most 10, found 11
        2:8-2:9 error schema-minimum [ratio] "0": `ratio` must be greater than 0, found 0
        3:7-3:14 error schema-max-length [name] "Abcdefg": `name` must be at most 5 characters long, found 7
        3:7-3:14 error schema-pattern [name] "Abcdefg": `Abcdefg` does not match the pattern `^[a-z]+$`
        4:7-4:17 error schema-format [when] "2024-01-02": `2024-01-02` is not an RFC 3339 date-time (2024-01-02T03:04:05Z)
        5:5-5:14 error schema-format [ip] "300.1.1.1": `300.1.1.1` is not an IPv4 address
        6:6-6:17 error schema-format [net] "10.0.0.0/33": `10.0.0.0/33` is not a CIDR block (10.0.0.0/8)
        7:5-7:15 error schema-format [id] "not-a-uuid": `not-a-uuid` is not a UUID
        8:7-8:11 error schema-enum [mode] "fsat": `fsat` is not an allowed value; expected `fast` or `slow` (did you mean `fast`?) (fix: fast)
        9:7-9:10 error schema-type [port] "1.5": expected an integer or a string, found a number; the YAML scalar `1.5` is read as a number: quote it to keep it a string (fix: "1.5")
        10:7-10:12 error schema-type [flag] "\"yes\"": expected a boolean, found a string
    "#]].assert_eq(&check(schema.clone(), doc));
    let ok = r#"small: 10
ratio: 1.5
name: abc
when: 2024-01-02T03:04:05Z
ip: 10.1.2.3
net: fd00::/8
id: 123e4567-e89b-12d3-a456-426614174000
mode: fast
port: http
flag: yes
big: 3.0
"#;
    assert_eq!(check(schema, ok), "");
}

#[test]
fn objects_maps_and_unknown_fields() {
    let schema = serde_json::json!({
        "type": "object",
        "required": ["name", "size"],
        "properties": {
            "name": {"type": "string"},
            "size": {"type": "integer", "default": 1},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 2},
            "closed": {"type": "object", "additionalProperties": false, "properties": {"a": {"type": "string"}}},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"n": {"type": "integer"}}},
            "opaque": {"type": "object"},
            "nullable": {"type": "string", "nullable": true},
            "strict": {"type": "string"}
        }
    });
    let doc = r#"nmae: x
labels: {a: "1", b: 2, c: "3"}
closed: {a: x, b: y}
free: {n: one, anything: [1, 2]}
opaque: {whatever: 1}
nullable: null
strict: null
"#;
    expect![[r#"
        1:1-1:5 warning schema-unknown-field [nmae] "nmae": unknown field `nmae`; did you mean `name`? (the API server drops it; `kubectl apply` rejects it) (fix: name)
        1:1-1:5 error schema-required [] "nmae": missing required field `name`
        2:1-2:7 error schema-max-properties [labels] "labels": `labels` allows at most 2 fields, found 3
        2:21-2:22 error schema-type [labels.b] "2": expected a string, found an integer; the YAML scalar `2` is read as an integer: quote it to keep it a string (fix: "2")
        3:16-3:17 error schema-unknown-field [closed.b] "b": unknown field `b`; expected one of `a` (no other fields are allowed here)
        4:11-4:14 error schema-type [free.n] "one": expected an integer, found a string
        5:10-5:18 warning schema-unknown-field [opaque.whatever] "whatever": unknown field `whatever` (the API server drops it; `kubectl apply` rejects it)
        7:9-7:13 warning schema-null [strict] "null": `strict` is null: the API server drops it (the field is not nullable)
    "#]].assert_eq(&check(schema.clone(), doc));
    // `size` has a default, so only `name` is missing; a null required field counts as absent.
    expect![[r#"
        1:7-1:8 error schema-required [name] "~": `name` is required and may not be null
    "#]]
    .assert_eq(&check(schema, "name: ~\n"));
}

#[test]
fn lists_sets_and_maps() {
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set", "minItems": 1, "maxItems": 3},
            "ports": {
                "type": "array",
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["port", "protocol"],
                "items": {"type": "object", "required": ["port"], "properties": {
                    "port": {"type": "integer"},
                    "protocol": {"type": "string", "default": "TCP"}
                }}
            },
            "empty": {"type": "array", "minItems": 1, "items": {"type": "string"}}
        }
    });
    let doc = r#"tags: [a, b, a, c]
ports:
  - {port: 80}
  - {port: 80, protocol: UDP}
  - {port: 80, protocol: TCP}
  - {protocol: TCP}
empty: []
"#;
    expect![[r#"
        1:1-1:5 error schema-max-items [tags] "tags": `tags` allows at most 3 items, found 4
        1:14-1:15 error schema-duplicate-item [tags[2]] "a": duplicate item `a` (already at index 0): items of this list must be unique
        5:12-5:14 error schema-duplicate-item [ports[2]] "80": duplicate item: `port: 80, protocol: TCP` is already used at index 0 (items of this list are keyed by `port` and `protocol`)
        6:6-6:14 error schema-required [ports[3]] "protocol": missing required field `port`
        7:1-7:6 error schema-min-items [empty] "empty": `empty` needs at least 1 item, found 0
    "#]].assert_eq(&check(schema, doc));
}

#[test]
fn alternatives() {
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "integer"},
            "n": {"type": "integer", "not": {"enum": [13]}},
            "shape": {
                "type": "object",
                "properties": {"kind": {"type": "string"}, "radius": {"type": "number"}, "side": {"type": "number"}},
                "oneOf": [
                    {"properties": {"kind": {"enum": ["circle"]}}, "required": ["radius"]},
                    {"properties": {"kind": {"enum": ["square"]}}, "required": ["side"]}
                ]
            },
            "both": {"type": "object", "properties": {"x": {"type": "integer"}}, "allOf": [{"required": ["x"]}, {"properties": {"x": {"minimum": 5}}}]}
        },
        "anyOf": [{"required": ["a"]}, {"required": ["b"]}]
    });
    let doc = r#"c: 1
n: 13
shape: {kind: circle, side: 2}
both: {x: 3}
"#;
    expect![[r#"
        1:1-1:2 error schema-any-of [] "c": at least one of `a` or `b` is required
        2:1-2:2 error schema-not [n] "n": `n` matches a shape that is not allowed here
        3:1-3:6 error schema-one-of [shape] "shape": `shape` does not match any of the allowed alternatives (closest: missing required field `radius`)
        4:11-4:12 error schema-minimum [both.x] "3": `x` must be at least 5, found 3
    "#]].assert_eq(&check(schema, doc));
}

#[test]
fn cel_rules() {
    let crd = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: scalers.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Scaler, plural: scalers}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              x-kubernetes-validations:
                - rule: self.minReplicas <= self.maxReplicas
                  messageExpression: "'minReplicas (' + string(self.minReplicas) + ') exceeds maxReplicas'"
                  fieldPath: .minReplicas
                - rule: "!has(self.legacy)"
                  message: legacy is gone
                  reason: FieldValueForbidden
                - rule: self.mode == oldSelf.mode
                  message: immutable
                - rule: self.unknownFunction()
                  message: never shown
                - rule: self.enabled
              properties:
                minReplicas: {type: integer}
                maxReplicas: {type: integer}
                mode: {type: string}
                legacy: {type: string}
                enabled: {type: boolean, default: true}
                name:
                  type: string
                  x-kubernetes-validations:
                    - rule: self.size() <= 5
"#;
    let mut store = SchemaStore::empty();
    let node = parse(crd);
    assert!(store.set_workspace_file("scaler.yaml", &[&node]).is_empty());
    let doc = r#"apiVersion: example.com/v1
kind: Scaler
metadata:
  name: s
spec:
  minReplicas: 5
  maxReplicas: 2
  legacy: x
  name: toolong
"#;
    let result = koreo_schema::validate_document(&store, &parse(doc), &ValidateOptions::default());
    expect![[r#"
        5:1-5:5 error schema-rule [spec] "spec": legacy is gone
        5:1-5:5 info schema-rule-error [spec] "spec": could not check the rule `self.unknownFunction()`: undeclared reference to 'unknownFunction'
        6:3-6:14 error schema-rule [spec] "minReplicas": minReplicas (5) exceeds maxReplicas
        9:9-9:16 error schema-rule [spec.name] "toolong": failed rule: self.size() <= 5
    "#]].assert_eq(&render(doc, &result.diagnostics));
    // The default of `enabled` is applied before rules run, as on the API server.
    let fine = "apiVersion: example.com/v1\nkind: Scaler\nmetadata: {name: s}\nspec: {minReplicas: 1, maxReplicas: 2}\n";
    let result = koreo_schema::validate_document(&store, &parse(fine), &ValidateOptions::default());
    expect![[r#"
        4:1-4:5 info schema-rule-error [spec] "spec": could not check the rule `self.unknownFunction()`: undeclared reference to 'unknownFunction'
    "#]].assert_eq(&render(fine, &result.diagnostics));
    // Rules over values that hold expressions are skipped when the tree is a template.
    let template = "minReplicas: =inputs.min\nmaxReplicas: two\nenabled: false\n";
    let kind = store
        .get_by_api_version("example.com/v1", "Scaler")
        .unwrap();
    let spec = kind.root().property("spec").unwrap();
    let dynamic = ValidateOptions {
        expressions: ExpressionMode::Dynamic,
        partial: true,
    };
    expect![[r#"
        2:14-2:17 error schema-type [maxReplicas] "two": expected an integer, found a string
    "#]]
    .assert_eq(&render(
        template,
        &validate(spec, &parse(template), &dynamic),
    ));
}

#[test]
fn openapi_refs_are_interned_and_recursion_is_safe() {
    let doc = serde_json::json!({
        "components": {"schemas": {
            "io.example.Tree": {
                "type": "object",
                "properties": {
                    "value": {"type": "integer"},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/io.example.Tree"}},
                    "meta": {"allOf": [{"$ref": "#/components/schemas/io.example.Meta"}], "description": "Own words."}
                },
                "x-kubernetes-group-version-kind": [{"group": "example.io", "version": "v1", "kind": "Tree"}]
            },
            "io.example.Meta": {"type": "object", "description": "Shared.", "properties": {"x": {"type": "string"}}},
            "io.example.Loop": {"allOf": [{"$ref": "#/components/schemas/io.example.Loop2"}]},
            "io.example.Loop2": {"allOf": [{"$ref": "#/components/schemas/io.example.Loop"}]}
        }}
    });
    let loaded = load_openapi(&doc, SchemaSource::Builtin).unwrap();
    assert_eq!(loaded.kinds.len(), 1);
    let tree = loaded.kinds[0].root();
    let child = tree.property("children").unwrap().items().unwrap();
    assert_eq!(child.id(), tree.id(), "a $ref is the component itself");
    let meta = tree.property("meta").unwrap();
    assert_eq!(meta.description(), Some("Own words."));
    assert!(meta.property("x").is_some());
    let text = "value: 1\nchildren:\n  - value: two\n    children:\n      - value: 3\n        extra: 1\nmeta: {x: 1}\n";
    let node = parse(text);
    expect![[r#"
        3:12-3:15 error schema-type [children[0].value] "two": expected an integer, found a string
        6:9-6:14 warning schema-unknown-field [children[0].children[0].extra] "extra": unknown field `extra`; expected one of `children`, `meta`, `value` (the API server drops it; `kubectl apply` rejects it)
        7:11-7:12 error schema-type [meta.x] "1": expected a string, found an integer; the YAML scalar `1` is read as an integer: quote it to keep it a string (fix: "1")
    "#]].assert_eq(&render(text, &validate(tree, &node, &ValidateOptions::default())));
    // A reference cycle with no structure is permissive, not a hang.
    let lp = loaded.components["io.example.Loop"];
    let view = koreo_schema::SchemaView::new(&loaded.arena, lp);
    assert!(validate(view, &parse("a: 1\n"), &ValidateOptions::default()).is_empty());
}

#[test]
fn crd_loader_reads_names_versions_and_scope() {
    let crd = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.com}
spec:
  group: example.com
  scope: Cluster
  names: {kind: Thing, plural: things, singular: thing, shortNames: [th]}
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object}}}}
    - name: v2
      served: true
      storage: false
      deprecated: true
      schema: {openAPIV3Schema: {type: object}}
    - name: v0
      served: false
"#;
    let def = load_crd_node(&parse(crd), SchemaSource::Workspace("x".into())).unwrap();
    assert_eq!(def.name.as_deref(), Some("things.example.com"));
    assert_eq!(def.short_names, ["th"]);
    assert_eq!(def.scope, koreo_schema::Scope::Cluster);
    let versions: Vec<(&str, bool, bool)> = def
        .versions
        .iter()
        .map(|v| (v.name.as_str(), v.deprecated, v.has_schema))
        .collect();
    assert_eq!(
        versions,
        [
            ("v1", false, true),
            ("v2", true, true),
            ("v0", false, false)
        ]
    );
    assert_eq!(def.kinds.len(), 2);
    // apiVersion, kind and metadata are implied for every CRD root.
    let root = def.kinds[0].root();
    let names: Vec<&str> = root.properties().map(|p| p.name).collect();
    assert_eq!(names, ["spec", "apiVersion", "kind", "metadata"]);
    let bad = load_crd_node(
        &parse("kind: CustomResourceDefinition\nspec: {names: {kind: X}}\n"),
        SchemaSource::Builtin,
    );
    assert_eq!(bad.unwrap_err().message, "the CRD has no `spec.group`");
}
