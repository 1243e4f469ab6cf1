; inherits: yaml
; CEL in Koreo = values, injected as language "cel" (Neovim). #offset! drops the leading = (and
; the quotes of quoted scalars), so a CEL parser sees only the expression. No common distribution
; ships a CEL parser: editors/README.md shows how to map "cel" to another parser (JavaScript reads
; CEL well). Helix does not support #offset!: it uses queries/helix/koreo/injections.scm.

; Plain scalars: =expr
((block_mapping_pair
  value: (flow_node
    (plain_scalar
      (string_scalar) @injection.content)))
  (#match? @injection.content "^[=]")
  (#offset! @injection.content 0 1 0 0)
  (#set! injection.language "cel"))

((block_sequence_item
  (flow_node
    (plain_scalar
      (string_scalar) @injection.content)))
  (#match? @injection.content "^[=]")
  (#offset! @injection.content 0 1 0 0)
  (#set! injection.language "cel"))

((flow_pair
  value: (flow_node
    (plain_scalar
      (string_scalar) @injection.content)))
  (#match? @injection.content "^[=]")
  (#offset! @injection.content 0 1 0 0)
  (#set! injection.language "cel"))

((flow_sequence
  (flow_node
    (plain_scalar
      (string_scalar) @injection.content)))
  (#match? @injection.content "^[=]")
  (#offset! @injection.content 0 1 0 0)
  (#set! injection.language "cel"))

; Quoted scalars: "=expr" and '=expr'
((block_mapping_pair
  value: (flow_node
    [
      (double_quote_scalar)
      (single_quote_scalar)
    ] @injection.content))
  (#match? @injection.content "^[\"'][=]")
  (#offset! @injection.content 0 2 0 -1)
  (#set! injection.language "cel"))

((block_sequence_item
  (flow_node
    [
      (double_quote_scalar)
      (single_quote_scalar)
    ] @injection.content))
  (#match? @injection.content "^[\"'][=]")
  (#offset! @injection.content 0 2 0 -1)
  (#set! injection.language "cel"))

((flow_pair
  value: (flow_node
    [
      (double_quote_scalar)
      (single_quote_scalar)
    ] @injection.content))
  (#match? @injection.content "^[\"'][=]")
  (#offset! @injection.content 0 2 0 -1)
  (#set! injection.language "cel"))

((flow_sequence
  (flow_node
    [
      (double_quote_scalar)
      (single_quote_scalar)
    ] @injection.content))
  (#match? @injection.content "^[\"'][=]")
  (#offset! @injection.content 0 2 0 -1)
  (#set! injection.language "cel"))

; Block scalars (| or >) whose first content line starts with =: after the indicator. #offset! moves
; the start by columns, not to the next line, so the = (and a chomping indicator such as the - of
; |-) stays in the injected text: a CEL parser reports them as one error token before the expression.
((block_scalar) @injection.content
  (#match? @injection.content "^[|>][^\n]*\n[ \t]*[=]")
  (#offset! @injection.content 0 1 0 0)
  (#set! injection.language "cel"))
