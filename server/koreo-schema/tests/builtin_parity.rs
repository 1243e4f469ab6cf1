//! Our built-in Koreo kinds against the Koreo CRDs users apply (tests/data/crds, the
//! real CRDs without their descriptions): same fields, types, limits, defaults and rules.
//! Only documentation and our `x-koreo-severity` annotations may differ. (The engine's
//! bundled schemas are byte-identical to these CRDs in koreo-core 0.1.17.)

mod common;

use common::{data, parse};
use koreo_schema::builtin::{KOREO_KINDS, koreo_kind};
use koreo_schema::{Schema, SchemaArena, SchemaId, SchemaSource, load_crd_node};

fn compare(
    a: &SchemaArena,
    x: SchemaId,
    b: &SchemaArena,
    y: SchemaId,
    path: &str,
    out: &mut Vec<String>,
) {
    let (s, t): (&Schema, &Schema) = (a.get(x), b.get(y));
    macro_rules! same {
        ($($field:ident),*) => {$(
            if format!("{:?}", s.$field) != format!("{:?}", t.$field) {
                out.push(format!("{path}: {} differs: {:?} vs {:?}", stringify!($field), s.$field, t.$field));
            }
        )*};
    }
    same!(
        ty,
        nullable,
        default,
        format,
        enumeration,
        required,
        preserve_unknown_fields,
        embedded_resource,
        int_or_string,
        type_union,
        min_properties,
        max_properties,
        min_items,
        max_items,
        unique_items,
        list_type,
        list_map_keys,
        min_length,
        max_length,
        minimum,
        maximum,
        exclusive_minimum,
        exclusive_maximum,
        multiple_of
    );
    let names = |s: &Schema| s.properties.keys().cloned().collect::<Vec<_>>();
    if names(s) != names(t) {
        out.push(format!(
            "{path}: properties differ: {:?} vs {:?}",
            names(s),
            names(t)
        ));
        return;
    }
    for (name, id) in &s.properties {
        compare(
            a,
            *id,
            b,
            t.properties[name],
            &format!("{path}.{name}"),
            out,
        );
    }
    match (s.items, t.items) {
        (Some(i), Some(j)) => compare(a, i, b, j, &format!("{path}[]"), out),
        (None, None) => {}
        _ => out.push(format!("{path}: items differ")),
    }
    if format!("{:?}", s.additional_properties) != format!("{:?}", t.additional_properties) {
        out.push(format!("{path}: additionalProperties differ"));
    }
    for (label, l, r) in [
        ("allOf", &s.all_of, &t.all_of),
        ("anyOf", &s.any_of, &t.any_of),
        ("oneOf", &s.one_of, &t.one_of),
    ] {
        if l.len() != r.len() {
            out.push(format!("{path}: {label} length differs"));
            continue;
        }
        for (i, (p, q)) in l.iter().zip(r).enumerate() {
            compare(a, *p, b, *q, &format!("{path}.{label}[{i}]"), out);
        }
    }
    let rules = |s: &Schema| {
        s.validations
            .iter()
            .map(|v| {
                (
                    v.rule.clone(),
                    v.message.clone(),
                    v.message_expression.clone(),
                    v.field_path.clone(),
                    v.reason.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    if rules(s) != rules(t) {
        out.push(format!(
            "{path}: rules differ: {:?} vs {:?}",
            rules(s),
            rules(t)
        ));
    }
}

#[test]
fn builtin_kinds_match_the_koreo_crds() {
    let files = [
        ("ValueFunction", "crds/koreo-value-function.yaml"),
        ("ResourceFunction", "crds/koreo-resource-function.yaml"),
        ("ResourceTemplate", "crds/koreo-resource-template.yaml"),
        ("Workflow", "crds/koreo-workflow.yaml"),
        ("FunctionTest", "crds/koreo-function-test.yaml"),
    ];
    let mut diffs = Vec::new();
    for (kind, file) in files {
        let ours = koreo_kind(kind).unwrap_or_else(|| panic!("built-in {kind}"));
        let crd = load_crd_node(&parse(&data(file)), SchemaSource::Workspace(file.into())).unwrap();
        assert_eq!(crd.kinds.len(), 1);
        let theirs = &crd.kinds[0];
        assert_eq!(ours.gvk, theirs.gvk);
        assert_eq!(ours.scope, theirs.scope);
        assert_eq!(ours.plural, theirs.plural);
        compare(
            &ours.arena,
            ours.root,
            &theirs.arena,
            theirs.root,
            kind,
            &mut diffs,
        );
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn every_builtin_field_is_documented() {
    fn walk(a: &SchemaArena, id: SchemaId, path: &str, out: &mut Vec<String>) {
        let s = a.get(id);
        for (name, child) in &s.properties {
            let p = format!("{path}.{name}");
            if a.get(*child)
                .description
                .as_deref()
                .is_none_or(|d| d.trim().len() < 10)
            {
                out.push(p.clone());
            }
            walk(a, *child, &p, out);
        }
        if let Some(items) = s.items {
            walk(a, items, &format!("{path}[]"), out);
        }
    }
    let mut undocumented = Vec::new();
    for kind in KOREO_KINDS {
        let k = koreo_kind(kind).unwrap();
        // apiVersion, kind and metadata come from the loader and ObjectMeta.
        walk(
            &k.arena,
            k.arena.get(k.root).properties["spec"],
            &format!("{kind}.spec"),
            &mut undocumented,
        );
    }
    assert!(undocumented.is_empty(), "{undocumented:#?}");
}
