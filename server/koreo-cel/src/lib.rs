//! Layer 1-2: CEL lexer/parser with exact spans and error recovery, and the evaluator of Koreo's CEL dialect (cel-python 0.3.0 semantics).
