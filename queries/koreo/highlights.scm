; inherits: yaml
; Koreo files are YAML: these patterns add to YAML's highlights (Neovim, Helix).
; Only #eq?, #any-of? and #match? are used, so Neovim and Helix both load this file.

; The kind of a Koreo resource.
(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (flow_node
    (plain_scalar
      (string_scalar) @type.builtin))
  (#eq? @_key "kind")
  (#any-of? @type.builtin "ValueFunction" "ResourceFunction" "ResourceTemplate" "Workflow" "FunctionTest"))

; apiVersion: koreo.dev/...
(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (flow_node
    (plain_scalar
      (string_scalar) @namespace))
  (#eq? @_key "apiVersion")
  (#match? @namespace "^koreo\\.dev/"))

; Keys with a meaning in Koreo specs.
(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @keyword))
  (#any-of? @keyword
    "apiConfig" "assert" "cases" "condition" "context" "crdRef" "create" "currentResource" "delete"
    "expectDelete" "expectOutcome" "expectResource" "expectReturn" "forEach" "functionRef" "inputKey"
    "inputOverrides" "itemIn" "locals" "overlay" "overlayRef" "overlayResource" "overlays"
    "postconditions" "preconditions" "ref" "refSwitch" "resourceTemplateRef" "return" "skipIf" "state"
    "steps" "switchOn" "template" "testCases" "update"))

; A string scalar whose first character is = is a CEL expression (keys never are). Highlighted as
; a whole here, so it stands out even where no CEL parser is installed (injections.scm).
(block_mapping_pair
  value: (flow_node
    [
      (plain_scalar
        (string_scalar) @string.special)
      (double_quote_scalar) @string.special
      (single_quote_scalar) @string.special
    ])
  (#match? @string.special "^[\"']?[=]"))

(block_sequence_item
  (flow_node
    [
      (plain_scalar
        (string_scalar) @string.special)
      (double_quote_scalar) @string.special
      (single_quote_scalar) @string.special
    ])
  (#match? @string.special "^[\"']?[=]"))

(flow_pair
  value: (flow_node
    [
      (plain_scalar
        (string_scalar) @string.special)
      (double_quote_scalar) @string.special
      (single_quote_scalar) @string.special
    ])
  (#match? @string.special "^[\"']?[=]"))

(flow_sequence
  (flow_node
    [
      (plain_scalar
        (string_scalar) @string.special)
      (double_quote_scalar) @string.special
      (single_quote_scalar) @string.special
    ])
  (#match? @string.special "^[\"']?[=]"))

; Block scalar (| or >) whose first content line starts with =.
((block_scalar) @string.special
  (#match? @string.special "^[|>][^\n]*\n[ \t]*[=]"))
