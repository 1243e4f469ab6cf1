//! ResourceTemplate (§7): a static resource body; nothing in it is evaluated.

use crate::convert::data_to_value;
use crate::data::Data;
use crate::prepare::PrepareError;
use crate::resource::Kind;
use crate::spec::SNode;
use koreo_cel::Value;

/// A prepared ResourceTemplate.
#[derive(Clone, Debug)]
pub struct ResourceTemplate {
    /// The template's name.
    pub name: String,
    /// The template as a CEL map (converted once, as the engine does).
    pub template: Value,
    /// The template as plain data.
    pub template_data: Data,
}

/// Prepares a ResourceTemplate's `spec`.
pub fn prepare(
    name: &str,
    spec: &SNode,
    schema_error: Option<&str>,
) -> Result<ResourceTemplate, PrepareError> {
    let location = Some(format!("prepare:ResourceTemplate:{name}"));
    let fail = |code: &'static str, message: String, range| {
        PrepareError::perm_fail(code, message, location.clone(), range)
    };
    if let Some(msg) = schema_error {
        return Err(fail("schema", msg.to_string(), None));
    }
    let template_node = spec.get("template");
    let template_data = template_node.map(SNode::to_data).unwrap_or_else(Data::map);
    let range = template_node.map(|n| n.range);
    // The engine converts before checking anything, so a YAML date raises here.
    let template = match data_to_value(&template_data) {
        Ok(v) => v,
        Err(e) => {
            let bad = template_node
                .and_then(SNode::contains_other)
                .map(|n| n.range);
            return Err(PrepareError::crash(
                Kind::ResourceTemplate,
                name,
                &e.message,
                bad.or(range),
            ));
        }
    };
    if !template_data.truthy() {
        return Err(fail(
            "template-missing",
            format!("Missing `spec.template` for ResourceTemplate '{name}'."),
            range,
        ));
    }
    if !matches!(template, Value::Map(_)) {
        return Err(fail(
            "template-not-object",
            format!("ResourceTemplate '{name}' `spec.template` must be an object."),
            range,
        ));
    }
    let api_version = template_data.get("apiVersion");
    let kind = template_data.get("kind");
    if !(api_version.is_some_and(Data::truthy) && kind.is_some_and(Data::truthy)) {
        let show = |d: Option<&Data>| d.map(Data::py_str).unwrap_or_else(|| "None".into());
        return Err(fail(
            "template-missing-kind",
            format!(
                "ResourceTemplate '{name}' `apiVersion` and `kind` must be set within `spec.template` (apiVersion: '{}', kind: '{}') ",
                show(api_version),
                show(kind)
            ),
            range,
        ));
    }
    let context_node = spec.get("context");
    let context_data = context_node.map(SNode::to_data).unwrap_or_else(Data::map);
    match data_to_value(&context_data) {
        Ok(Value::Map(_)) => {}
        Ok(other) => {
            return Err(fail(
                "template-context-not-object",
                format!(
                    "ResourceTemplate '{name}' `spec.context` ('{}') must be an object.",
                    koreo_cel::python::py_str(&other)
                ),
                context_node.map(|n| n.range),
            ));
        }
        Err(e) => {
            return Err(PrepareError::crash(
                Kind::ResourceTemplate,
                name,
                &e.message,
                context_node.map(|n| n.range),
            ));
        }
    }
    Ok(ResourceTemplate {
        name: name.to_string(),
        template,
        template_data,
    })
}
