//! RustTorch IR.
