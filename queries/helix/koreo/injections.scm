; inherits: yaml
; Helix: CEL in Koreo = values, injected as language "cel". Like queries/koreo/injections.scm but
; without #offset! (Helix rejects it), so the injected text starts at the = (or the quote).
; Helix ships no CEL grammar: without one, the @string.special highlight of highlights.scm applies.

; Plain scalars: =expr
((block_mapping_pair
  value: (flow_node
    (plain_scalar
      (string_scalar) @injection.content)))
  (#match? @injection.content "^[=]")
  (#set! injection.language "cel"))

((block_sequence_item
  (flow_node
    (plain_scalar
      (string_scalar) @injection.content)))
  (#match? @injection.content "^[=]")
  (#set! injection.language "cel"))

((flow_pair
  value: (flow_node
    (plain_scalar
      (string_scalar) @injection.content)))
  (#match? @injection.content "^[=]")
  (#set! injection.language "cel"))

((flow_sequence
  (flow_node
    (plain_scalar
      (string_scalar) @injection.content)))
  (#match? @injection.content "^[=]")
  (#set! injection.language "cel"))

; Quoted scalars: "=expr" and '=expr'
((block_mapping_pair
  value: (flow_node
    [
      (double_quote_scalar)
      (single_quote_scalar)
    ] @injection.content))
  (#match? @injection.content "^[\"'][=]")
  (#set! injection.language "cel"))

((block_sequence_item
  (flow_node
    [
      (double_quote_scalar)
      (single_quote_scalar)
    ] @injection.content))
  (#match? @injection.content "^[\"'][=]")
  (#set! injection.language "cel"))

((flow_pair
  value: (flow_node
    [
      (double_quote_scalar)
      (single_quote_scalar)
    ] @injection.content))
  (#match? @injection.content "^[\"'][=]")
  (#set! injection.language "cel"))

((flow_sequence
  (flow_node
    [
      (double_quote_scalar)
      (single_quote_scalar)
    ] @injection.content))
  (#match? @injection.content "^[\"'][=]")
  (#set! injection.language "cel"))

; Block scalars (| or >) whose first content line starts with =.
((block_scalar) @injection.content
  (#match? @injection.content "^[|>][^\n]*\n[ \t]*[=]")
  (#set! injection.language "cel"))
